/* vmem-libvirt.c: libvirt errors and the process-wide event loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-libvirt-private.h"

#include <libvirt/virterror.h>

#include "vmem-error.h"
#include "vmem-private.h"

static VmemError
error_code_from_libvirt (int code)
{
  switch (code)
    {
    case VIR_ERR_NO_DOMAIN:
    case VIR_ERR_DEVICE_MISSING:
      return VMEM_ERROR_NOT_FOUND;

    case VIR_ERR_NO_SUPPORT:
    case VIR_ERR_OPERATION_UNSUPPORTED:
    case VIR_ERR_NO_CONNECT:
      return VMEM_ERROR_NOT_SUPPORTED;

    case VIR_ERR_XML_ERROR:
    case VIR_ERR_XML_DETAIL:
      return VMEM_ERROR_INVALID_XML;

    case VIR_ERR_CONFIG_UNSUPPORTED:
    case VIR_ERR_INVALID_ARG:
      return VMEM_ERROR_INVALID_CONFIG;

    case VIR_ERR_OPERATION_TIMEOUT:
    case VIR_ERR_AGENT_UNRESPONSIVE:
    case VIR_ERR_RESOURCE_BUSY:
      return VMEM_ERROR_BUSY;

    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
    case VIR_ERR_AUTH_UNAVAILABLE:
    case VIR_ERR_ACCESS_DENIED:
      return VMEM_ERROR_AUTH_FAILED;

    case VIR_ERR_INVALID_CONN:
      return VMEM_ERROR_CLOSED;

    default:
      return VMEM_ERROR_LIBVIRT;
    }
}

/*
 * _vmem_set_error_from_libvirt:
 *
 * Turns libvirt's last error of this thread into a VMEM_ERROR whose code
 * says what happened, whose message starts with @format and ends with
 * libvirt's own message, and which keeps libvirt's code.
 */
void
_vmem_set_error_from_libvirt (GError     **error,
                              const char  *format,
                              ...)
{
  virErrorPtr verr = virGetLastError ();
  g_autofree char *what = NULL;
  GError *local_error;
  va_list args;
  int code = verr != NULL ? verr->code : VIR_ERR_INTERNAL_ERROR;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  local_error = g_error_new (VMEM_ERROR, error_code_from_libvirt (code), "%s: %s", what,
                             verr != NULL && verr->message != NULL ? verr->message
                                                                   : "unknown libvirt error");
  _vmem_error_set_libvirt (local_error, code, verr != NULL ? verr->domain : 0);
  g_propagate_error (error, local_error);
}

static void
ignore_timeout (int      timer,
                void    *opaque)
{
}

static gpointer
run_default_event_loop (gpointer data)
{
  for (;;)
    {
      if (virEventRunDefaultImpl () < 0)
        g_warning ("libvirt's event loop failed: %s", virGetLastErrorMessage ());
    }

  return NULL;
}

/*
 * _vmem_event_loop_ensure:
 *
 * Makes sure libvirt has an event loop implementation, which it needs for
 * events and keepalive. libvirt takes one per process, the first that is
 * registered. When the application registered one (libvirt-glib's
 * gvir_event_register(), or virEventRegisterDefaultImpl() with a thread of
 * its own running it), that one is used; otherwise the library registers
 * libvirt's default implementation and runs it on a thread of its own.
 * Callbacks are passed on to each connection's GMainContext either way.
 */
void
_vmem_event_loop_ensure (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* Adding a disabled timer succeeds only when an implementation is
       * registered: libvirt has no other way to ask. */
      int timer = virEventAddTimeout (-1, ignore_timeout, NULL, NULL);

      if (timer >= 0)
        {
          virEventRemoveTimeout (timer);
          g_debug ("Using the application's libvirt event loop");
        }
      else
        {
          if (virEventRegisterDefaultImpl () < 0)
            g_error ("Cannot register libvirt's event loop: %s", virGetLastErrorMessage ());
          g_thread_unref (g_thread_new ("vmem-libvirt-events", run_default_event_loop, NULL));
          g_debug ("Running libvirt's default event loop on a thread of its own");
        }

      g_once_init_leave (&done, 1);
    }
}
