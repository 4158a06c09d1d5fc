# vmgrid grid node image. Build from the repository root with BuildKit (Docker's default builder
# since 23.0; on Docker 20.10 set DOCKER_BUILDKIT=1):
#   docker build -t vmgrid/vmgrid-node:0.1.0 .
# See docs/deploy.md. The Helm chart in helm/vmgrid runs this image.
#
# Build arguments:
#   JDK_IMAGE  base of the build stage (default: the public eclipse-temurin:17-jdk)
#   JRE_IMAGE  base of the runtime image (default: the public eclipse-temurin:17-jre); any image
#              with java 17 on its PATH, groupadd, useradd and install
#   JAR        source (default): build the node's shaded jar here with the Maven wrapper;
#              prebuilt: copy grid-node/target/vmgrid-node.jar from the build context (made by
#              ./mvnw -pl grid-node -am package) and skip the build stage
ARG JDK_IMAGE=eclipse-temurin:17-jdk
ARG JRE_IMAGE=eclipse-temurin:17-jre
ARG JAR=source

# ---- the jar, built from source (tests skipped; CI runs them) ----
FROM ${JDK_IMAGE} AS jar-source
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl grid-node -am package -DskipTests

# ---- the jar, as the Maven build left it ----
FROM scratch AS jar-prebuilt
COPY grid-node/target/vmgrid-node.jar /src/grid-node/target/vmgrid-node.jar

FROM jar-${JAR} AS jar

# ---- runtime: JRE only, non-root ----
FROM ${JRE_IMAGE}
# /opt/vmgrid is made here, 0755, rather than left to COPY: BuildKit gives the parent directories
# that COPY creates the --chmod mode of the file, and a 0644 directory cannot be entered by the
# vmgrid user.
RUN groupadd --system --gid 10001 vmgrid \
 && useradd --system --uid 10001 --gid vmgrid --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin vmgrid \
 && install -d -o root -g root -m 0755 /opt/vmgrid
COPY --from=jar --chown=root:root --chmod=0444 /src/grid-node/target/vmgrid-node.jar /opt/vmgrid/vmgrid-node.jar
USER 10001:10001
# 5701: Hazelcast member and client traffic; 9401: /metrics and /health/*.
EXPOSE 5701 9401
# JAVA_OPTS: JVM flags (the chart sets the heap, the collector and Hazelcast's shutdown wait);
# Hazelcast's --add-opens are in the jar's manifest. POD_IP (downward API, status.podIP) is the
# address the member binds and advertises. VMGRID_CONFIG names the node file (the chart mounts
# /etc/vmgrid/node.yaml). Arguments after the image name are appended to the node's command line.
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+UseG1GC" \
    VMGRID_CONFIG=/etc/vmgrid/node.yaml
ENTRYPOINT ["/bin/sh", "-c", "exec java $JAVA_OPTS -jar /opt/vmgrid/vmgrid-node.jar node --config \"$VMGRID_CONFIG\" --bind \"${POD_IP:?set POD_IP to the address to bind and advertise}\" \"$@\"", "vmgrid-node"]
CMD []
