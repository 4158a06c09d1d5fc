package org.example.gadget;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for a deserialization gadget: it records every time its readObject runs. It is a task
 * too, so that a client can try to make a member run it.
 */
public final class Payload implements Serializable, Callable<String> {
  private static final long serialVersionUID = 1L;
  /** How many times any Payload was deserialized in this JVM. */
  public static final AtomicInteger READS = new AtomicInteger();

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    READS.incrementAndGet();
    in.defaultReadObject();
  }

  @Override
  public String call() {
    return "ran";
  }
}
