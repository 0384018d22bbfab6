#!/bin/sh
# A planner killed with an unsaved edit gets it back on the next start: opens the planner on
# plan.ron, places a supplier (key 2, then the map at (5, 5) km), waits for the autosave in
# $KICSIM_RECOVERY_DIR and kills the planner (kill -9). The file is unchanged. The next start
# offers the edit (picture offer.png); Enter recovers it. SIGTERM with it unsaved asks (the
# planner stays open); Enter in the prompt opens Save as (a recovered plan is asked its name, as
# Save asks it), and Enter there saves plan.ron and quits.
# Run by tests/window.rs under xvfb-run, in a folder holding plan.ron and orig.ron (the same).
set -u
PLAN_FILE=plan.ron
. "$(dirname "$0")/open_planner.sh"
sleep 1
xdotool key space; sleep 0.5   # pause
click() { xdotool mousemove "$1" "$2"; sleep 0.4; xdotool mousedown 1; sleep 0.4; xdotool mouseup 1; sleep 0.5; }
xdotool key 2; sleep 0.5       # tool "+ Supplier"
click 474 566                  # the map at (5, 5) km
i=0
while ! ls "$KICSIM_RECOVERY_DIR"/recovery-*.ron >/dev/null 2>&1; do
    i=$((i+1)); [ $i -gt 60 ] && { echo "no autosave within 30 s"; exit 4; }
    sleep 0.5
done
sleep 0.5
kill -9 $app; wait $app 2>/dev/null
cmp -s plan.ron orig.ron || { echo "the killed planner changed plan.ron"; exit 5; }
mkdir first; mv kicsim-screenshot-*.png app.log first/
# The next start: the offer is in the first picture.
. "$(dirname "$0")/open_planner.sh"
cp kicsim-screenshot-1.png offer.png
xdotool key Return; sleep 1    # recover
xdotool key F12; sleep 1       # kicsim-screenshot-2.png: the recovered plan
kill -TERM $app; sleep 2
kill -0 $app 2>/dev/null || { echo "SIGTERM with unsaved edits quit without asking"; exit 6; }
xdotool key F12; sleep 1       # kicsim-screenshot-3.png: the prompt
xdotool key Return; sleep 1   # save and quit: a recovered plan is asked its name first (Save as)
xdotool key F12; sleep 1       # kicsim-screenshot-4.png: the Save-as dialog
xdotool key Return             # the name as it is: saved, then the window closes
i=0
while kill -0 $app 2>/dev/null; do
    i=$((i+1)); [ $i -gt 60 ] && { echo "Enter in the prompt did not quit within 30 s"; exit 7; }
    sleep 0.5
done
wait $app || { echo "the planner exited with an error"; exit 8; }
