/* vmem-libvirt.c: libvirt errors and the process-wide event loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-libvirt-private.h"

#include <libvirt/virterror.h>

#include "vmem-error.h"
#include "vmem-private.h"

#include <errno.h>
#include <string.h>

#include <glib-unix.h>

/* Since libvirt 9.5 only DIMM-like devices take a memory slot. */
#define LIBVIRT_SLOTS_FOR_DIMMS_ONLY VMEM_LIBVIRT_VERSION (9, 5, 0)

/*
 * _vmem_libvirt_model_takes_slot:
 *
 * Whether a memory device of @model takes one of the domain's memory slots
 * (<maxMemory slots=...>) on @libvirt_version. Up to libvirt 9.4 every
 * memory device does; since 9.5 only those QEMU plugs into a DIMM slot,
 * dimm and nvdimm, and virtio-mem, virtio-pmem and sgx-epc take none.
 */
gboolean
_vmem_libvirt_model_takes_slot (gulong          libvirt_version,
                                VmemMemoryModel model)
{
  if (libvirt_version < LIBVIRT_SLOTS_FOR_DIMMS_ONLY)
    return TRUE;

  return model == VMEM_MEMORY_MODEL_DIMM || model == VMEM_MEMORY_MODEL_NVDIMM;
}

/*
 * _vmem_libvirt_set_slots_error:
 *
 * libvirt's refusal of more slot-taking devices than slots, in the words
 * of @libvirt_version.
 */
void
_vmem_libvirt_set_slots_error (GError **error,
                               gulong   libvirt_version,
                               guint    n_devices,
                               guint    slots)
{
  if (libvirt_version < LIBVIRT_SLOTS_FOR_DIMMS_ONLY)
    g_set_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG,
                 "memory device count '%u' exceeds slots count '%u'", n_devices, slots);
  else
    g_set_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG,
                 "count of memory devices requiring memory slots '%u' exceeds slots count '%u'",
                 n_devices, slots);
}

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

static void
set_error (GError      **error,
           VmemError     code,
           virErrorPtr   verr,
           const char   *what)
{
  GError *local_error;

  local_error = g_error_new (VMEM_ERROR, code, "%s: %s", what,
                             verr != NULL && verr->message != NULL ? verr->message
                                                                   : "unknown libvirt error");
  _vmem_error_set_libvirt (local_error, verr != NULL ? verr->code : VIR_ERR_INTERNAL_ERROR,
                           verr != NULL ? verr->domain : 0);
  g_propagate_error (error, local_error);
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
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  set_error (error, error_code_from_libvirt (verr != NULL ? verr->code : VIR_ERR_INTERNAL_ERROR),
             verr, what);
}

/* How @uri reaches its daemon, as libvirt picks it: the transport after
 * "+" in the scheme, TLS for a host without one, a local socket for no
 * host; NULL for libvirt's default URI. */
static char *
uri_transport (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  const char *scheme, *plus;

  if (uri == NULL)
    return NULL;

  parsed = g_uri_parse (uri, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL)
    return NULL;

  scheme = g_uri_get_scheme (parsed);
  plus = strchr (scheme, '+');
  if (plus != NULL)
    return g_ascii_strdown (plus + 1, -1);

  return g_strdup (g_uri_get_host (parsed) != NULL && *g_uri_get_host (parsed) != '\0' ? "tls" : "unix");
}

/* What went wrong reaching a daemon, from what libvirt's RPC layer says:
 * the errno it keeps for system errors, and for the ssh transport the
 * words of OpenSSH's client, which libvirt passes on (OpenSSH does not
 * translate its messages). */
static VmemError
open_error_code (virErrorPtr  verr,
                 const char  *transport)
{
  const char *message = verr->message != NULL ? verr->message : "";

  if (verr->domain != VIR_FROM_RPC)
    return error_code_from_libvirt (verr->code);

  if (g_strcmp0 (transport, "ssh") == 0)
    {
      if (strstr (message, "Host key verification failed") != NULL)
        return VMEM_ERROR_HOST_KEY;
      if (strstr (message, "Permission denied") != NULL)
        return VMEM_ERROR_AUTH_FAILED;
      if (strstr (message, "ssh: connect to host") != NULL ||
          strstr (message, "Could not resolve hostname") != NULL)
        return VMEM_ERROR_UNREACHABLE;
    }

  /* The TLS layer refused the peer's certificate, or cannot read the
   * client's own files. */
  if (g_strcmp0 (transport, "tls") == 0 &&
      (verr->code == VIR_ERR_AUTH_FAILED ||
       (verr->code == VIR_ERR_SYSTEM_ERROR && (verr->int1 == ENOENT || verr->int1 == EACCES))))
    return VMEM_ERROR_CERTIFICATE;

  if (verr->code == VIR_ERR_SYSTEM_ERROR)
    {
      switch (verr->int1)
        {
        case ECONNREFUSED:
        case EHOSTUNREACH:
        case ENETUNREACH:
        case ETIMEDOUT:
        case EADDRNOTAVAIL:
          return VMEM_ERROR_UNREACHABLE;
        case ENOENT:
          /* A local daemon's socket that is not there. */
          if (g_strcmp0 (transport, "unix") == 0)
            return VMEM_ERROR_UNREACHABLE;
          break;
        default:
          break;
        }
    }

  return error_code_from_libvirt (verr->code);
}

/*
 * _vmem_set_open_error_from_libvirt:
 *
 * Like _vmem_set_error_from_libvirt() for a failed virConnectOpen() of
 * @uri: the code also tells a daemon that cannot be reached, a refused
 * certificate and an unknown host key apart.
 */
void
_vmem_set_open_error_from_libvirt (GError     **error,
                                   const char  *uri)
{
  virErrorPtr verr = virGetLastError ();
  g_autofree char *transport = uri_transport (uri);
  g_autofree char *what = g_strdup_printf ("Cannot open %s", uri != NULL ? uri : "libvirt's default URI");

  set_error (error,
             verr != NULL ? open_error_code (verr, transport) : VMEM_ERROR_LIBVIRT,
             verr, what);
}

/* The library's own event loop implementation, for processes that have
 * none: libvirt's sockets and timers as GSources of a private
 * GMainContext, iterated by a thread of the library's own. libvirt's
 * default implementation (and libvirt-glib's) iterate the global default
 * context, which belongs to the application: a thread of ours iterating it
 * would dispatch the application's sources, on the wrong thread. */

typedef struct
{
  int             id;
  int             fd;
  virEventHandleCallback callback;
  virEventTimeoutCallback timeout_callback;
  void           *opaque;
  virFreeCallback ff;
  GSource        *source;     /* handles: NULL while disabled; guarded by loop_lock */
  int             events;     /* handles: what is watched; guarded by loop_lock */
  gint64          expires;    /* timeouts: monotonic time in µs, -1 while
                               * disabled; guarded by loop_lock */
  int             interval;   /* timeouts: in ms; guarded by loop_lock */
  gint            removed;    /* atomic */
} LoopWatch;

static GMutex        loop_lock;
static GMainContext *loop_context;
static GHashTable   *loop_handles;    /* id -> LoopWatch, guarded by loop_lock */
static GHashTable   *loop_timeouts;   /* id -> LoopWatch, guarded by loop_lock */
static int           loop_next_id = 1;

static LoopWatch *
loop_watch_ref (LoopWatch *watch)
{
  return g_atomic_rc_box_acquire (watch);
}

static void
loop_watch_unref (gpointer data)
{
  g_atomic_rc_box_release (data);
}

static GIOCondition
condition_from_events (int events)
{
  return ((events & VIR_EVENT_HANDLE_READABLE) ? G_IO_IN : 0) |
         ((events & VIR_EVENT_HANDLE_WRITABLE) ? G_IO_OUT : 0) |
         ((events & VIR_EVENT_HANDLE_ERROR) ? G_IO_ERR : 0) |
         ((events & VIR_EVENT_HANDLE_HANGUP) ? G_IO_HUP : 0);
}

static gboolean
loop_handle_dispatch (int          fd,
                      GIOCondition condition,
                      gpointer     data)
{
  LoopWatch *watch = data;
  int events = ((condition & G_IO_IN) ? VIR_EVENT_HANDLE_READABLE : 0) |
               ((condition & G_IO_OUT) ? VIR_EVENT_HANDLE_WRITABLE : 0) |
               ((condition & G_IO_ERR) ? VIR_EVENT_HANDLE_ERROR : 0) |
               ((condition & G_IO_HUP) ? VIR_EVENT_HANDLE_HANGUP : 0);

  if (!g_atomic_int_get (&watch->removed))
    watch->callback (watch->id, watch->fd, events, watch->opaque);
  return G_SOURCE_CONTINUE;
}

/* A timeout is one source for its whole life, which runs when the watch's
 * expiry time has come. libvirt restarts some timeouts very often (the
 * keepalive timer, at every message received): a restart only moves the
 * expiry time, and wakes the loop's thread only when that time comes
 * sooner than the one it may be sleeping towards. */
typedef struct
{
  GSource    source;
  LoopWatch *watch;
} LoopTimeoutSource;

static gint64
loop_timeout_expires (LoopWatch *watch)
{
  gint64 expires;

  g_mutex_lock (&loop_lock);
  expires = watch->expires;
  g_mutex_unlock (&loop_lock);
  return expires;
}

static gboolean
loop_timeout_prepare (GSource *source,
                      gint    *timeout)
{
  gint64 expires = loop_timeout_expires (((LoopTimeoutSource *) source)->watch);
  gint64 now;

  *timeout = -1;
  if (expires < 0)
    return FALSE;

  now = g_source_get_time (source);
  if (now >= expires)
    {
      *timeout = 0;
      return TRUE;
    }

  /* Rounded up: waking early would only mean preparing again. */
  *timeout = (gint) MIN ((expires - now + 999) / 1000, G_MAXINT);
  return FALSE;
}

static gboolean
loop_timeout_check (GSource *source)
{
  gint64 expires = loop_timeout_expires (((LoopTimeoutSource *) source)->watch);

  return expires >= 0 && g_source_get_time (source) >= expires;
}

static gboolean
loop_timeout_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     data)
{
  LoopWatch *watch = ((LoopTimeoutSource *) source)->watch;

  /* libvirt's timeouts repeat every interval until changed. */
  g_mutex_lock (&loop_lock);
  if (watch->expires >= 0)
    watch->expires = g_get_monotonic_time () + (gint64) watch->interval * 1000;
  g_mutex_unlock (&loop_lock);

  if (!g_atomic_int_get (&watch->removed))
    watch->timeout_callback (watch->id, watch->opaque);
  return G_SOURCE_CONTINUE;
}

static void
loop_timeout_finalize (GSource *source)
{
  loop_watch_unref (((LoopTimeoutSource *) source)->watch);
}

static GSourceFuncs loop_timeout_funcs = {
  loop_timeout_prepare,
  loop_timeout_check,
  loop_timeout_dispatch,
  loop_timeout_finalize,
  NULL, NULL
};

/* Replaces the watch's source; called with loop_lock held. */
static void
loop_watch_set_source (LoopWatch *watch,
                       GSource   *source)
{
  if (watch->source != NULL)
    {
      g_source_destroy (watch->source);
      g_source_unref (watch->source);
    }

  watch->source = source;
  if (source != NULL)
    g_source_attach (source, loop_context);
}

static GSource *
loop_handle_source (LoopWatch *watch,
                    int        events)
{
  GSource *source;

  if (events == 0)
    return NULL;

  source = g_unix_fd_source_new (watch->fd, condition_from_events (events));
  g_source_set_callback (source, G_SOURCE_FUNC (loop_handle_dispatch),
                         loop_watch_ref (watch), loop_watch_unref);
  return source;
}

static GSource *
loop_timeout_source (LoopWatch *watch)
{
  GSource *source = g_source_new (&loop_timeout_funcs, sizeof (LoopTimeoutSource));

  ((LoopTimeoutSource *) source)->watch = loop_watch_ref (watch);
  return source;
}

/* Sets when a timeout runs next; called with loop_lock held. Returns
 * whether the loop's thread must wake up to see it in time. */
static gboolean
loop_timeout_set_interval (LoopWatch *watch,
                           int        interval)
{
  gint64 before = watch->expires;

  watch->interval = interval;
  watch->expires = interval < 0 ? -1 : g_get_monotonic_time () + (gint64) interval * 1000;
  return watch->expires >= 0 && (before < 0 || watch->expires < before);
}

static gboolean
loop_free_opaque (gpointer data)
{
  LoopWatch *watch = data;

  watch->ff (watch->opaque);
  return G_SOURCE_REMOVE;
}

/* libvirt wants the free function called from a clean stack, never from
 * within the remove call. */
static void
loop_watch_remove (GHashTable *table,
                   int         id)
{
  LoopWatch *watch;

  g_mutex_lock (&loop_lock);
  watch = g_hash_table_lookup (table, GINT_TO_POINTER (id));
  if (watch != NULL)
    {
      g_atomic_int_set (&watch->removed, TRUE);
      loop_watch_set_source (watch, NULL);
      if (watch->ff != NULL)
        {
          GSource *idle = g_idle_source_new ();

          g_source_set_callback (idle, loop_free_opaque, loop_watch_ref (watch), loop_watch_unref);
          g_source_attach (idle, loop_context);
          g_source_unref (idle);
        }
      g_hash_table_remove (table, GINT_TO_POINTER (id));
    }
  g_mutex_unlock (&loop_lock);
}

static int
loop_add_handle (int                    fd,
                 int                    events,
                 virEventHandleCallback callback,
                 void                  *opaque,
                 virFreeCallback        ff)
{
  LoopWatch *watch = g_atomic_rc_box_new0 (LoopWatch);
  int id;

  watch->fd = fd;
  watch->callback = callback;
  watch->opaque = opaque;
  watch->ff = ff;

  g_mutex_lock (&loop_lock);
  id = watch->id = loop_next_id++;
  g_hash_table_insert (loop_handles, GINT_TO_POINTER (id), watch);
  watch->events = events;
  loop_watch_set_source (watch, loop_handle_source (watch, events));
  g_mutex_unlock (&loop_lock);
  return id;
}

static void
loop_update_handle (int id,
                    int events)
{
  LoopWatch *watch;

  g_mutex_lock (&loop_lock);
  watch = g_hash_table_lookup (loop_handles, GINT_TO_POINTER (id));
  /* libvirt often asks again for what is watched already. */
  if (watch != NULL && watch->events != events)
    {
      watch->events = events;
      loop_watch_set_source (watch, loop_handle_source (watch, events));
    }
  g_mutex_unlock (&loop_lock);
}

static int
loop_remove_handle (int id)
{
  loop_watch_remove (loop_handles, id);
  return 0;
}

static int
loop_add_timeout (int                     interval,
                  virEventTimeoutCallback callback,
                  void                   *opaque,
                  virFreeCallback         ff)
{
  LoopWatch *watch = g_atomic_rc_box_new0 (LoopWatch);
  int id;

  watch->timeout_callback = callback;
  watch->opaque = opaque;
  watch->ff = ff;
  watch->expires = -1;

  g_mutex_lock (&loop_lock);
  id = watch->id = loop_next_id++;
  g_hash_table_insert (loop_timeouts, GINT_TO_POINTER (id), watch);
  loop_timeout_set_interval (watch, interval);
  /* Attaching wakes the loop's thread. */
  loop_watch_set_source (watch, loop_timeout_source (watch));
  g_mutex_unlock (&loop_lock);
  return id;
}

static void
loop_update_timeout (int id,
                     int interval)
{
  LoopWatch *watch;
  gboolean wake = FALSE;

  g_mutex_lock (&loop_lock);
  watch = g_hash_table_lookup (loop_timeouts, GINT_TO_POINTER (id));
  if (watch != NULL)
    wake = loop_timeout_set_interval (watch, interval);
  g_mutex_unlock (&loop_lock);

  if (wake)
    g_main_context_wakeup (loop_context);
}

static int
loop_remove_timeout (int id)
{
  loop_watch_remove (loop_timeouts, id);
  return 0;
}

static gpointer
loop_run (gpointer data)
{
  g_main_context_push_thread_default (loop_context);
  for (;;)
    g_main_context_iteration (loop_context, TRUE);

  return NULL;
}

static void
ignore_timeout (int   timer,
                void *opaque)
{
}

/*
 * _vmem_event_loop_ensure:
 *
 * Makes sure libvirt has an event loop implementation, which it needs for
 * events and keepalive. libvirt takes one per process, the first that is
 * registered. When the application registered one (libvirt-glib's
 * gvir_event_register(), or virEventRegisterDefaultImpl() with a thread of
 * its own running it), that one is used; otherwise the library registers
 * its own, run on a private context by a thread of its own. Callbacks are
 * passed on to each connection's GMainContext either way.
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
          loop_context = g_main_context_new ();
          loop_handles = g_hash_table_new_full (NULL, NULL, NULL, loop_watch_unref);
          loop_timeouts = g_hash_table_new_full (NULL, NULL, NULL, loop_watch_unref);
          virEventRegisterImpl (loop_add_handle, loop_update_handle, loop_remove_handle,
                                loop_add_timeout, loop_update_timeout, loop_remove_timeout);
          g_thread_unref (g_thread_new ("vmem-events", loop_run, NULL));
          g_debug ("Running libvirt's events on a thread of the library");
        }

      g_once_init_leave (&done, 1);
    }
}

/* ------------------------------------------------- tasks on a worker thread */

typedef struct
{
  GObject      *source;
  GMainContext *context;
} TaskSource;

static gboolean
task_source_release (gpointer data)
{
  TaskSource *ts = data;

  g_object_unref (ts->source);
  g_main_context_unref (ts->context);
  g_free (ts);

  return G_SOURCE_REMOVE;
}

/* Runs on whichever thread finalizes the task: at once in the thread that
 * runs the task's context, else in an idle there. Not
 * g_main_context_invoke(), which would run it on a worker thread that
 * could acquire the global default context while nobody iterates it. */
static void
task_source_release_in_context (gpointer data)
{
  TaskSource *ts = data;
  g_autoptr(GSource) idle = NULL;

  if (g_main_context_is_owner (ts->context))
    {
      task_source_release (ts);
      return;
    }

  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, task_source_release, ts, NULL);
  g_source_set_static_name (idle, "[vmem] release a task's source object");
  g_source_attach (idle, ts->context);
}

/*
 * _vmem_task_run_in_thread:
 * @task: a #GTask whose source object is one of the library's objects
 * @task_func: what runs on the worker thread
 *
 * g_task_run_in_thread(), but the task's source object is never released
 * for the last time on the worker thread.
 *
 * GTask's thread pool drops its reference to the task after @task_func
 * returns, and the callback holds another until it has run on the task's
 * context: whichever comes last finalizes the task and releases its source
 * object. When the application has dropped its own reference meanwhile,
 * the source object was disposed on the worker thread, where its dispose
 * (signal handlers, sources on the main context, weak pointers the
 * application set) must never run; ThreadSanitizer saw it as a race on a
 * weak pointer the application cleared on its main thread.
 *
 * The task now also holds a reference to its source object that it gives
 * back on its context, after it released its own: that one is the last.
 */
void
_vmem_task_run_in_thread (GTask           *task,
                          GTaskThreadFunc  task_func)
{
  GObject *source = g_task_get_source_object (task);

  if (source != NULL)
    {
      TaskSource *ts = g_new (TaskSource, 1);

      ts->source = g_object_ref (source);
      ts->context = g_main_context_ref (g_task_get_context (task));
      /* GTask releases its source object in its finalize, before its
       * qdata goes. */
      g_object_set_data_full (G_OBJECT (task), "vmem-task-source", ts,
                              task_source_release_in_context);
    }
  g_task_run_in_thread (task, task_func);
}
