# mlops in a container. Two targets from one build: 'serve' (the default: non-root, for mlops serve
# and docker run) and 'action' (container actions on a registry of your own: mlops action write
# --image REGISTRY/mlops-ci-action:vX; released actions run prebuilt binaries instead).
# Multi-stage: the SDK builds, the ASP.NET runtime image runs (the server needs ASP.NET Core;
# ML.NET and ONNX Runtime bring native libraries, so no trimming or Native AOT: see docs/training.md).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props MlOps.CI.sln ./
COPY src/ src/
ARG VERSION=0.1.0
# One runtime identifier: only linux-x64 native libraries (ONNX Runtime's iOS and Android bundles
# alone are 110 MB of the portable publish). The app layer is about 54 MB.
RUN dotnet publish src/MlOps.Cli -c Release -r linux-x64 --self-contained false -p:Version=$VERSION -o /out --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# LightGBM's native library needs OpenMP.
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out /opt/mlops
RUN printf '#!/bin/sh\nexec dotnet /opt/mlops/mlops.dll "$@"\n' > /usr/local/bin/mlops && chmod +x /usr/local/bin/mlops
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
ENTRYPOINT ["mlops"]

# The GitHub container actions (docker build --target action): GitHub runs container actions as
# the image's user with the workspace mounted at /github/workspace, owned by the runner's user,
# and documents that such images must run as root to write there. Nothing else runs as root.
FROM runtime AS action
WORKDIR /github/workspace

# The default image (mlops serve, docker run): the non-root 'app' user the .NET images define.
FROM runtime AS serve
USER app
WORKDIR /home/app
EXPOSE 8080
