#!/bin/sh
# Drives the planner window with real X input events (xdotool), as a planner would:
# pause, pick "+ Supplier" and click the map (then the sea, refused: picture 2), pick
# "Select / drag" and drag the logistics hub (picture 3 mid-drag: the live forecast), undo both edits, redo the placement, then Ctrl+S.
# Then place one more supplier (the tool picked with key 2) and close the window as a window
# manager would (WM_DELETE_WINDOW, by $WM_CLOSE): the planner asks first; Esc cancels, and on the
# second close Enter saves and quits.
# Run by tests/window.rs under xvfb-run, in a folder holding plan.ron (a copy of
# scenarios/baseline.ron) and orig.ron (the same, to tell when plan.ron was saved).
#
# Screen positions are those of a 1280x800 window with the panels at their default widths and
# one status line above the KPI cards and the tools (the F12 message; tools at y = 382, below six KPI cards): the map (30 km) fills the square of side
# 519 px / 1.04 centred on (640.5, 400), 16.63 px per km, north up.
set -u
PLAN_FILE=plan.ron
. "$(dirname "$0")/open_planner.sh"
sleep 1
xdotool key space; sleep 0.5   # pause the running simulation
# Buttons and keys are held for a few frames, as a hand would.
click() { xdotool mousemove "$1" "$2"; sleep 0.4; xdotool mousedown 1; sleep 0.4; xdotool mouseup 1; sleep 0.5; }
click 133 382                  # tool "+ Supplier"
click 474 566                  # the map at (5, 5) km: free, flat land
click 850 500                  # the sea at (27.7, 8.9) km: refused with the reason
picture 2 20                   # the red cross and the reason under the pointer
click 48 382                   # tool "Select / drag"
# Drag the ICD hub from (20.5, 14) km to (22, 20) km in small steps.
xdotool mousemove 732 417; sleep 0.3; xdotool mousedown 1; sleep 0.3
for s in 1 2 3 4 5 6 7 8 9; do xdotool mousemove $((732 + 2 * s)) $((417 - 10 * s)); sleep 0.1; done
xdotool mousemove 757 317; sleep 0.5
picture 3 20                   # mid-drag: the KPI cards show the live forecast's difference to the plan as loaded
xdotool mouseup 1; sleep 0.5
# Ctrl+Z twice (the drag, then the placement), Ctrl+Y once (the placement again).
ctrl() { xdotool keydown ctrl; sleep 0.3; xdotool key "$1"; sleep 0.3; xdotool keyup ctrl; sleep 0.5; }
ctrl z; ctrl z; ctrl y
xdotool key F12; sleep 1       # kicsim-screenshot-4.png: the state before saving, for a failing test
ctrl s
i=0
while cmp -s plan.ron orig.ron; do
    i=$((i+1)); [ $i -gt 60 ] && { echo "Ctrl+S did not save plan.ron within 30 s"; exit 4; }
    sleep 0.5
done
# One more edit, then close the window with it unsaved.
xdotool key 2; sleep 0.5       # key 2: tool "+ Supplier"
click 524 566                  # the map at (8, 5) km
python3 "$WM_CLOSE" "$W"; sleep 2
kill -0 $app 2>/dev/null || { echo "the window closed with unsaved edits without asking"; exit 5; }
xdotool key Escape; sleep 1    # cancel: the planner stays open
kill -0 $app 2>/dev/null || { echo "Esc in the prompt closed the planner"; exit 6; }
python3 "$WM_CLOSE" "$W"; sleep 2
xdotool key F12; sleep 1       # kicsim-screenshot-5.png: the prompt, for a failing test
xdotool key Return             # save and quit
i=0
while kill -0 $app 2>/dev/null; do
    i=$((i+1)); [ $i -gt 60 ] && { echo "Enter in the prompt did not quit within 30 s"; exit 7; }
    sleep 0.5
done
wait $app || { echo "the planner exited with an error"; exit 8; }
