#!/usr/bin/python3
"""Asks the visible X11 windows of a process to close, as a window manager does for Alt+F4: a
WM_DELETE_WINDOW message to each mapped window whose _NET_WM_PID is the given process. (Never to
unmapped ones: GTK keeps invisible helper windows, such as the clipboard's, that no window
manager would ever ask to close.) Usage: close-window.py PID. Prints how many were asked."""
import sys

from Xlib import X, display, protocol

pid = int(sys.argv[1])
d = display.Display()
root = d.screen().root
NET_WM_PID = d.intern_atom("_NET_WM_PID")
WM_PROTOCOLS = d.intern_atom("WM_PROTOCOLS")
WM_DELETE = d.intern_atom("WM_DELETE_WINDOW")


def windows(w):
    for child in w.query_tree().children:
        yield child
        yield from windows(child)


asked = 0
for w in windows(root):
    prop = w.get_full_property(NET_WM_PID, X.AnyPropertyType)
    if prop is None or prop.value[0] != pid:
        continue
    if w.get_attributes().map_state != X.IsViewable:
        continue
    protocols = w.get_wm_protocols() or []
    if WM_DELETE not in protocols:
        continue
    event = protocol.event.ClientMessage(
        window=w, client_type=WM_PROTOCOLS, data=(32, [WM_DELETE, X.CurrentTime, 0, 0, 0])
    )
    w.send_event(event)
    asked += 1
d.flush()
print(asked)
