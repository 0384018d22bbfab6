#!/bin/sh
# Opens the planner on $PLAN_FILE, waits until it answers F12 with a picture
# (kicsim-screenshot-1.png: the window at 1280x800), resizes the window to 1600x1000 as a
# planner dragging its corner would, and takes kicsim-screenshot-2.png.
# Run by tests/window.rs under xvfb-run in an empty folder.
set -u
. "$(dirname "$0")/open_planner.sh"
xdotool windowsize "$W" 1600 1000; sleep 2
i=0
while [ ! -e kicsim-screenshot-2.png ]; do
    i=$((i+1)); [ $i -gt 30 ] && { echo "no picture of the resized window within 30 s"; exit 4; }
    xdotool windowfocus "$W" 2>/dev/null; xdotool key F12; sleep 1
done
