# Sourced by the window test scripts (tests/drive_planner.sh, tests/view_planner.sh): opens the
# planner on the file $PLAN_FILE (its log in app.log), and waits until it answers F12 with a picture
# (kicsim-screenshot-1.png), so it renders and reads the keyboard. Sets $app (the planner's pid,
# killed when the script exits) and $W (its X window), and defines `picture` for later pictures.
"$KICSIM" plan "$PLAN_FILE" > app.log 2>&1 &
app=$!
trap 'kill $app 2>/dev/null' EXIT
i=0
W=
while [ -z "$W" ]; do
    kill -0 $app 2>/dev/null || { echo "the planner exited before its window appeared:"; tail -5 app.log; exit 2; }
    i=$((i+1)); [ $i -gt 120 ] && { echo "no window appeared within 120 s"; exit 2; }
    sleep 1; W=$(xdotool search --name "KIC Planner" 2>/dev/null | head -1)
done
# Asks for picture $1 with F12 until the window has saved it as kicsim-screenshot-$1.png, for at
# most $2 seconds.
picture() {
    i=0
    while [ ! -e "kicsim-screenshot-$1.png" ]; do
        i=$((i+1)); [ $i -gt "$2" ] && { echo "the window did not answer F12 with picture $1 within $2 s"; exit 3; }
        xdotool windowfocus "$W" 2>/dev/null; xdotool key F12; sleep 1
    done
}
picture 1 120
