#!/usr/bin/env bash
# Installs the system packages the app needs (PDF fonts and shaping, PDF tools, a browser for the journey tests).
# On Debian/Ubuntu as root it installs what is missing; elsewhere it prints what to install and goes on.
set -euo pipefail
if ! command -v make >/dev/null 2>&1; then
  echo "缺少 make：本脚本以 root 在 Debian/Ubuntu 上会安装它；否则请运行 sudo apt-get install make，再运行 make run 或 make test。"
fi
# python3-venv: without it `python3 -m venv` fails on a fresh Debian ("ensurepip is not available").
PKGS=(make python3-venv openssl fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils chromium)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
else
  echo "本机不是 Debian/Ubuntu：请自行安装 Noto CJK 字体、HarfBuzz subset、Pango、poppler-utils 和 Chromium。"
  exit 0
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "安装系统软件包：${missing[*]}"
  # Wait for another apt run (unattended upgrades, a second shell) instead of failing on its lock.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
else
  echo "缺少系统软件包：${missing[*]}"
  echo "请运行：sudo apt-get install ${missing[*]}"
fi
