# SPDX-License-Identifier: LGPL-2.1-or-later
"""Memory Monitor: a GTK 4 application that shows and changes the memory
devices of libvirt guests, on libvmem-gobject's live object model.

logic    what the window shows and does, without GTK: hosts and their
         connections, sizes as people type them, resizes under way
widgets  the gauge and the rows of the lists
window   the main window and its actions
dialogs  adding a connection, hot-plugging a DIMM
application
         the GtkApplication: command line, application actions
"""

APP_ID = 'org.libvmem.Monitor'
