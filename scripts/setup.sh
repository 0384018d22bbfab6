#!/usr/bin/env bash
# Installs what kicsim needs beyond the Rust toolchain (Debian/Ubuntu):
# X11 client libraries for the window, and Xvfb + Mesa's software Vulkan for the headless
# window test and for running the planner on a machine without a GPU; xdotool and python3
# (tests/wm_close.py) drive the window in the tests.
set -euo pipefail
pkgs=(xvfb xauth xdotool python3 mesa-vulkan-drivers libvulkan1 libxkbcommon-x11-0 libx11-6 libxcursor1 libxrandr2 libxi6)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "installing: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v cargo >/dev/null || { echo "cargo not found: install Rust 1.95 with rustup" >&2; exit 1; }
