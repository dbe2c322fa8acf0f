# Two images from one build. The default (last) target is production: the
# worker and the starter only. `docker build --target sandbox` is the
# stand-in for Knox, WORKBOX and WORKPLACE that docker-compose.yml runs
# for trying orgsync locally; it never ships with the product.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/ ./worker ./starter

FROM build AS build-sandbox
RUN CGO_ENABLED=0 go build -o /sandbox ./sandbox

FROM gcr.io/distroless/static-debian12 AS sandbox
COPY --from=build-sandbox /sandbox /usr/local/bin/sandbox
USER nonroot
ENTRYPOINT ["/usr/local/bin/sandbox"]

FROM gcr.io/distroless/static-debian12 AS production
COPY --from=build /out/ /usr/local/bin/
USER nonroot
ENTRYPOINT ["/usr/local/bin/worker"]
