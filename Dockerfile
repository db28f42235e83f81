# Stepwise's container image. It builds nothing: package the jar first, then build the image.
#   mvn -B package -DskipTests
#   docker build -t registry.example.com/stepwise:0.1.0 .
# Runtime only (a JRE, no compiler, no Maven). The base image is pinned to an exact Temurin release; to pin the
# content as well, append its digest (eclipse-temurin:<tag>@sha256:...) as printed by `docker pull`.
FROM eclipse-temurin:17.0.19_10-jre-noble

# A fixed, numeric, non-root user: Kubernetes' runAsNonRoot can only verify a numeric USER, and
# deploy/base/deployment.yaml runs as the same UID/GID (DeployManifestsTest checks that they agree).
RUN groupadd --system --gid 10001 stepwise \
 && useradd --system --uid 10001 --gid 10001 --home-dir /home/stepwise --create-home --shell /usr/sbin/nologin stepwise \
 && mkdir -p /var/cache/stepwise \
 && chown 10001:10001 /var/cache/stepwise

# owned by root and not writable by the user that runs it
COPY target/stepwise.jar /app/stepwise.jar

# JGit keeps per-user state (e.g. measured file timestamp resolution) under $XDG_CONFIG_HOME/jgit: /tmp is writable
# in the Pod (an emptyDir) while the root filesystem is read-only.
ENV XDG_CONFIG_HOME=/tmp/.config

USER 10001:10001
WORKDIR /home/stepwise
EXPOSE 8080

# The heap follows the container's memory limit (75 % of it); an OutOfMemoryError ends the process so that
# Kubernetes restarts it, instead of a half-working reconciler holding the leader Lease.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75.0", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "-jar", "/app/stepwise.jar"]
CMD ["run", "--config", "/etc/stepwise/stepwise.yaml"]
