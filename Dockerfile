# mlops in a container: the image the released actions can reference (docker://ghcr.io/OWNER/mlops-ci:vX)
# so runs do not pay a build. Multi-stage: the SDK builds, the ASP.NET runtime image runs (the
# server needs ASP.NET Core; ML.NET and ONNX Runtime bring native libraries, so no trimming or
# Native AOT: see docs/training.md), as the non-root 'app' user the .NET images define.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props MlOps.CI.sln ./
COPY src/ src/
RUN dotnet publish src/MlOps.Cli -c Release -o /out --nologo \
 && rm -rf /out/runtimes/win-* /out/runtimes/osx-* /out/runtimes/linux-arm* /out/runtimes/linux-musl-*

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# LightGBM's native library needs OpenMP.
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out /opt/mlops
RUN printf '#!/bin/sh\nexec dotnet /opt/mlops/mlops.dll "$@"\n' > /usr/local/bin/mlops && chmod +x /usr/local/bin/mlops
USER app
# Actions run container steps with the workspace mounted at /github/workspace as the working directory.
WORKDIR /github/workspace
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
ENTRYPOINT ["mlops"]
