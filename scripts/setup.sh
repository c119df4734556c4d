#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for acejam: the exporter's Python stack from Debian
# (torch, onnx, numpy, with OpenBLAS so torch's matmuls are fast), redis-server (the store tests start
# their own on loopback) and the npm dependencies.
# onnxruntime-node's CUDA download is skipped (.npmrc and the variable below): the CPU binaries ship in the package.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PACKAGES="python3-torch python3-onnx python3-numpy libopenblas0-pthread redis-server"
missing=""
for p in $PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing
fi
export ONNXRUNTIME_NODE_INSTALL=skip
npm ci
