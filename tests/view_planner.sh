#!/bin/sh
# Opens the planner on $PLAN_FILE, waits until it answers F12 with a picture
# (kicsim-screenshot-1.png: the window at 1280x800), resizes the window to 1600x1000 as a
# planner dragging its corner would, and takes kicsim-screenshot-2.png. Then turns the mouse
# wheel three notches with the pointer on the anchor, at (854, 554) px in the resized window,
# and takes kicsim-screenshot-3.png.
# Run by tests/window.rs under xvfb-run in an empty folder.
set -u
. "$(dirname "$0")/open_planner.sh"
xdotool windowsize "$W" 1600 1000; sleep 2
picture 2 30
xdotool mousemove 854 554; sleep 0.5
for n in 1 2 3; do xdotool click 4; sleep 0.3; done
sleep 1
picture 3 30
