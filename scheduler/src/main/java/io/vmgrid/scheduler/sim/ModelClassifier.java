package io.vmgrid.scheduler.sim;

import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.Keys;
import java.util.List;

/**
 * Model-mode request classifier: derives a request's traits, type key and rule keys from a trace
 * record plus seeded synthetic constraints. A stand-in for the rules module's classifier.
 *
 * <p>Traits: {@code cores}, {@code ram} and {@code priority} from the trace; {@code hardware} (0 any
 * generation 60%, 1 generation 5 or newer 25%, 2 generation 6 only 15%) and {@code accelNet}
 * (accelerated networking required, 30%) drawn per tenant from {@code mix(seed, tenant)}, so a tenant
 * always asks with the same constraints. The request type is the tuple of all five traits. Each rule
 * of {@link #RULES} depends on the listed traits; its key is (rule, those traits' values).
 */
public final class ModelClassifier {

  /** A trait a model rule can depend on. */
  enum Trait {
    CORES(1), RAM(2), PRIORITY(3), HARDWARE(4), ACCEL_NET(5);

    /** Mixed into keys so that equal values of different traits give different keys. */
    final long salt;

    Trait(long salt) {
      this.salt = salt << 56;
    }
  }

  /**
   * A model rule: its name, the traits its result depends on, and its share of a miss's cost.
   *
   * @param name the rule name
   * @param traits the traits of its cache key
   * @param missWeight relative cost of evaluating it from scratch
   */
  record ModelRule(String name, List<Trait> traits, double missWeight) {
    ModelRule {
      traits = List.copyOf(traits);
    }
  }

  /** The model rule catalogue; a rule's id is its index here. */
  static final List<ModelRule> RULES = List.of(
      new ModelRule("server-health", List.of(), 0.5),
      new ModelRule("priority-pool", List.of(Trait.PRIORITY), 0.5),
      new ModelRule("cores-fit", List.of(Trait.CORES, Trait.PRIORITY), 1.5),
      new ModelRule("memory-fit", List.of(Trait.RAM, Trait.PRIORITY), 1.5),
      new ModelRule("hardware-compat", List.of(Trait.HARDWARE), 1.0),
      new ModelRule("accel-net", List.of(Trait.ACCEL_NET), 0.5),
      new ModelRule("pack-preference", List.of(Trait.CORES, Trait.RAM), 2.0));

  private final long seed;

  /** A classifier whose synthetic constraints are drawn from {@code seed}. */
  public ModelClassifier(long seed) {
    this.seed = seed;
  }

  /** The rule names, by rule id. */
  public static List<String> ruleNames() {
    return RULES.stream().map(ModelRule::name).toList();
  }

  /**
   * The traits of a request: cores, ram, priority, hardware, accelNet.
   *
   * @param cores requested cores
   * @param ram requested memory
   * @param priority 0 or 1
   * @param hardware 0, 1 or 2
   * @param accelNet 0 or 1
   */
  public record Traits(double cores, double ram, int priority, int hardware, int accelNet) {

    double value(Trait t) {
      return switch (t) {
        case CORES -> cores;
        case RAM -> ram;
        case PRIORITY -> priority;
        case HARDWARE -> hardware;
        case ACCEL_NET -> accelNet;
      };
    }

    @Override
    public String toString() {
      return "cores=" + cores + "|ram=" + ram + "|priority=" + priority + "|hardware=" + hardware
          + "|accelNet=" + accelNet;
    }
  }

  /** The traits of {@code r}, including its tenant's synthetic constraints. */
  public Traits traits(TraceRecord r) {
    long h = Keys.mix(seed * 0x9E3779B97F4A7C15L ^ Keys.mix(r.tenant()));
    double u1 = (h >>> 11) * 0x1.0p-53;
    double u2 = (Keys.mix(h) >>> 11) * 0x1.0p-53;
    int hardware = u1 < 0.6 ? 0 : u1 < 0.85 ? 1 : 2;
    int accel = u2 < 0.3 ? 1 : 0;
    return new Traits(r.cores(), r.ram(), r.priority(), hardware, accel);
  }

  /** Classifies a request with these traits (the id is a placeholder; see {@link RequestStream}). */
  public ClassifiedRequest classify(Traits t) {
    int n = RULES.size();
    int[] ids = new int[n];
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = i;
      long k = Keys.mix(0x52554C45L + i);
      for (Trait trait : RULES.get(i).traits()) {
        k = Keys.mix(k ^ Double.doubleToLongBits(t.value(trait)) ^ trait.salt);
      }
      keys[i] = k;
    }
    long type = Keys.mix(0x54595045L);
    for (Trait trait : Trait.values()) {
      type = Keys.mix(type ^ Double.doubleToLongBits(t.value(trait)) ^ trait.salt);
    }
    return new ClassifiedRequest(0, type, ids, keys);
  }
}
