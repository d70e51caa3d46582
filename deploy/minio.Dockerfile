# syntax=docker/dockerfile:1
#
# MinIO built from source: the community edition is distributed as source
# only since October 2025, and the minio/minio images are gone from Docker
# Hub. This is the version ./scripts/test.sh builds and the tests run
# against (MINIO_VERSION there); keep the two in step.
FROM golang:1.26 AS build
ARG MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOBIN=/out go install -trimpath github.com/minio/minio@${MINIO_VERSION} \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/minio /usr/local/bin/minio
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME ["/data"]
EXPOSE 9000 9001
ENTRYPOINT ["/usr/local/bin/minio"]
CMD ["server", "/data", "--address", ":9000", "--console-address", ":9001"]
