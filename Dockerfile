# syntax=docker/dockerfile:1
# vmgrid grid node image. Build from the repository root:
#   docker build -t vmgrid/vmgrid-node:0.1.0 .
# See docs/deploy.md. The Helm chart in helm/vmgrid runs this image.

# ---- build: the node's shaded jar, with the Maven wrapper (tests skipped; CI runs them) ----
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl grid-node -am package -DskipTests

# ---- runtime: JRE only, non-root ----
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 vmgrid \
 && useradd --system --uid 10001 --gid vmgrid --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin vmgrid
COPY --from=build --chown=root:root --chmod=0644 /src/grid-node/target/vmgrid-node.jar /opt/vmgrid/vmgrid-node.jar
USER 10001:10001
# 5701: Hazelcast member and client traffic; 9401: /metrics, /health/live, /health/ready.
EXPOSE 5701 9401
# JAVA_OPTS: heap flags (the chart sets -XX:MaxRAMPercentage); Hazelcast's --add-opens are in the
# jar's manifest. POD_IP (downward API, status.podIP) is the address the member binds and
# advertises. VMGRID_CONFIG names the node file (the chart mounts /etc/vmgrid/node.yaml).
# Arguments after the image name are appended to the node's command line.
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75" \
    VMGRID_CONFIG=/etc/vmgrid/node.yaml
ENTRYPOINT ["/bin/sh", "-c", "exec java $JAVA_OPTS -jar /opt/vmgrid/vmgrid-node.jar node --config \"$VMGRID_CONFIG\" --bind \"${POD_IP:?set POD_IP to the address to bind and advertise}\" \"$@\"", "vmgrid-node"]
CMD []
