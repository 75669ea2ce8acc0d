#!/usr/bin/env bash
# Installs every Debian package that μ2Net Workbench needs to build, test and run, and selects
# the OpenMP build of OpenBLAS as the system BLAS (LibTorch uses whatever libblas.so.3 resolves
# to; the pthread OpenBLAS fights LibTorch's OpenMP threads, the reference BLAS is ~30x slower).
# Idempotent: safe to re-run. Waits for apt/dpkg locks instead of failing. Needs root.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps.sh: run as root (it installs Debian packages)" >&2
  exit 1
fi

packages=(
  build-essential cmake ninja-build pkg-config git clang-format
  qt6-base-dev qt6-base-dev-tools qt6-svg-dev libqt6svg6 qt6-qpa-plugins
  libtorch-dev
  libqcustomplot-dev libqcustomplot2.1-qt6
  libgraphviz-dev graphviz
  libsqlite3-dev nlohmann-json3-dev zlib1g-dev libpng-dev libjpeg-dev
  # Database stores: the client library, and the server the tests start (initdb, pg_ctl).
  libpq-dev postgresql-15
  # The test of the Slurm batch script submits it to a single-node cluster it starts.
  slurm-wlm munge
  libopenblas0-openmp libopenblas-openmp-dev
  dataset-fashion-mnist
  # Debian's PyTorch (the same LibTorch): the timm-import test's reference and the benchmarks'
  # plain PyTorch comparisons run it with /usr/bin/python3.
  python3-torch
  xvfb xauth fonts-dejavu-core
  # Installation and packaging: man pages from --help (help2man), the menu entry's check
  # (desktop-file-validate), the Debian package's dependencies (dpkg-shlibdeps, in dpkg-dev).
  help2man desktop-file-utils dpkg-dev
)

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=600 -y -q)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get "${apt_opts[@]}" update
  apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}"
fi

# Point libblas.so.3, liblapack.so.3 and libopenblas.so.0 (LibTorch links all three) at the
# OpenMP OpenBLAS, even when another BLAS was installed first.
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
for lib in libblas.so.3 liblapack.so.3 libopenblas.so.0; do
  target=/usr/lib/$arch/openblas-openmp/$lib
  if [ -e "$target" ]; then
    update-alternatives --set "$lib-$arch" "$target" >/dev/null
  else
    echo "install-deps.sh: $target not found; OpenMP OpenBLAS is not installed correctly" >&2
    exit 1
  fi
done
echo "install-deps.sh: dependencies installed; BLAS: $(readlink -f /usr/lib/$arch/libblas.so.3)"
