#!/bin/sh
# Save as, driven with real X input events (xdotool): opens the planner on base.ron (a copy of
# scenarios/baseline.ron), places a supplier (key 2, the map at (5, 5) km), clicks "Save as...",
# and in the dialog (picture 2) types the plan's name and description and the file team.ron
# (the name field has the keyboard on opening; Tab and Shift+Tab move between the fields),
# then Enter saves. Picture 3: the plan under its new name, the rename in the edit list. One more
# supplier and Ctrl+S: the plan's own file now, saved at once with no dialog.
# Run by tests/window.rs under xvfb-run, in a folder holding base.ron. Screen positions as in
# tests/drive_planner.sh (1280x800; "Save as..." at (80, 75)).
set -u
PLAN_FILE=base.ron
. "$(dirname "$0")/open_planner.sh"
sleep 1
xdotool key space; sleep 0.5   # pause
click() { xdotool mousemove "$1" "$2"; sleep 0.4; xdotool mousedown 1; sleep 0.4; xdotool mouseup 1; sleep 0.5; }
ctrl() { xdotool keydown ctrl; sleep 0.3; xdotool key "$1"; sleep 0.3; xdotool keyup ctrl; sleep 0.5; }
back() { xdotool keydown shift; sleep 0.3; xdotool key Tab; sleep 0.3; xdotool keyup shift; sleep 0.5; }
xdotool key 2; sleep 0.5       # tool "+ Supplier"
click 474 566                  # the map at (5, 5) km
click 80 75                    # "Save as..."
sleep 1
ctrl a; xdotool type --delay 40 "Team A"; sleep 0.3
xdotool key Tab; sleep 0.5     # the description
ctrl a; xdotool type --delay 40 "Near the port."; sleep 0.3
back; back; back               # the name, Browse, the file
ctrl a; xdotool type --delay 40 "team.ron"; sleep 0.3
xdotool mousemove 800 790; sleep 0.5
picture 2 20                   # the dialog, filled in
xdotool key Return
i=0
while [ ! -e team.ron ]; do
    i=$((i+1)); [ $i -gt 60 ] && { echo "Save as did not write team.ron within 30 s"; exit 4; }
    sleep 0.5
done
sleep 2
picture 3 20                   # saved: the new name, the edit list with the rename
cp team.ron first-save.ron
xdotool key 2; sleep 0.5
click 524 566                  # the map at (8, 5) km
ctrl s
i=0
while cmp -s team.ron first-save.ron; do
    i=$((i+1)); [ $i -gt 60 ] && { echo "Ctrl+S did not save team.ron within 30 s"; exit 5; }
    sleep 0.5
done
sleep 1
picture 4 20                   # no dialog this time
