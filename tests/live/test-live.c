/* test-live.c: the live layer against a real libvirtd and QEMU guest
 *
 * Runs inside the test bed (tests/bed/vmem-bed run -- test-live --bed MODE),
 * which gives it a private libvirtd and a running TCG guest with virtio-mem.
 * MODE says which bed it is in and picks the cases that need that bed:
 *
 *   default        (default bed)
 *     /live/grow-shrink          resize_async() up to the device's size and
 *                                back; current-size, requested-size, the
 *                                memory-device-size-changed sequence (one
 *                                signal per libvirt event, monotonic, ending
 *                                at the target) and notify::current-size
 *     /live/memtotal-follows     the guest's MemTotal (whole guest and NUMA
 *                                node) moves by exactly the plugged size
 *     /live/refused-nothing-sent sizes refused by validation (not a block
 *                                multiple, over the size) reach libvirt not
 *                                at all: the daemon's own API-call log, the
 *                                live XML read on a separate plain libvirt
 *                                connection, and the signals all say so
 *     /live/set-requested-size   vmem_virtio_mem_set_requested_size() and
 *                                its async variant: the live XML and the
 *                                property follow at once, the guest after
 *     /live/dimm-attach-detach   a 128 MiB DIMM hot-plugged (sync and async
 *                                attach), seen in the device model with an
 *                                alias and in the guest, then detached by
 *                                alias: gone from the model, the live XML
 *                                and the guest
 *     /live/cancel               cancelling resize_async() at once and in
 *                                flight: G_IO_ERROR_CANCELLED, one callback,
 *                                and the device resizes fine afterwards
 *     /live/held-by-connection   the chained one-liner: a device whose
 *                                domain the caller let go of at once still
 *                                resizes the guest; the connection's
 *                                memory-device-size-changed follows it
 *     /live/second-domain        a second domain defined, started,
 *                                destroyed and undefined beside the library:
 *                                items-changed and domain-added/-removed in
 *                                the same dispatch, the same object
 *                                throughout, and how long after libvirt's
 *                                own event each came
 *     /live/figures              the domain's and each node's memory
 *                                figures equal what libvirt's XML and the
 *                                guest's serial console say, and follow a
 *                                resize with notifications
 *   two-nodes      (--variant two-nodes)
 *     /live/two-nodes            one device per NUMA node, resized one after
 *                                the other and then both at once: each ends
 *                                at its own target, the other is untouched,
 *                                each node's MemTotal follows its device
 *   no-virtio-mem  (--no-virtio-mem)
 *     /live/stall                a guest that cannot plug: resize_async()
 *                                fails with VMEM_ERROR_STALLED after the
 *                                device's stall-timeout, naming the size;
 *                                a resize that waits ends at once when
 *                                cancelled
 *   daemon-killed  (default bed; the case kills the bed's libvirtd)
 *     /live/daemon-killed        SIGKILL to libvirtd during a resize:
 *                                "closed" once, the resize fails with
 *                                VMEM_ERROR_CLOSED, so does every later call
 *
 * Every signal and callback must come in the thread that runs the main
 * context. Every wait is bounded and a bound that passes fails the case,
 * and a watchdog thread fails the program if the main thread blocks; the
 * bounds stretch by $VMEM_TEST_TIME_SCALE (the valgrind setup sets it). A
 * bed that is not the one MODE needs fails the program.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <glib/gstdio.h>
#include <vmem.h>

#include "../test-util.h"

#define KiB ((guint64) 1 << 10)
#define MiB ((guint64) 1 << 20)
#define GiB ((guint64) 1 << 30)

/* The bed's devices: 1 GiB virtio-mem devices with 2 MiB blocks, 128 MiB
 * requested at boot. */
#define VMEM_SIZE      (1 * GiB)
#define VMEM_BLOCK     (2 * MiB)
#define VMEM_START     (128 * MiB)

#define LIBVIRTD_BIN "/usr/sbin/libvirtd"

typedef enum {
  BED_DEFAULT,
  BED_TWO_NODES,
  BED_NO_VIRTIO_MEM,
  BED_DAEMON_KILLED,
  BED_HOSTS,
} BedMode;

/* ------------------------------------------------------------ utilities */

/* The thread that runs the main context: every signal and callback of the
 * library must come in it, whatever thread libvirt's events arrive on. */
static GThread *main_thread;

#define assert_main_thread(what) \
  G_STMT_START { \
    if (g_thread_self () != main_thread) \
      g_error ("%s ran outside the main context's thread", what); \
  } G_STMT_END

/* Running under valgrind makes everything slower by an order of magnitude;
 * the test setup says so through this variable. */
static double
time_scale (void)
{
  const char *scale = g_getenv ("VMEM_TEST_TIME_SCALE");
  double value;

  if (scale == NULL || *scale == '\0')
    return 1.0;

  value = g_ascii_strtod (scale, NULL);
  g_assert_cmpfloat (value, >=, 1.0);

  return value;
}

static double
seconds_since (gint64 t0)
{
  return (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
}

static const char *
bed_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run this program through tests/bed/vmem-bed run", name);

  return value;
}

static char *
size_text (guint64 bytes)
{
  return vmem_size_format (bytes);
}

/* --------------------------------------------------------------- watchdog */

/* A failsafe timeout on the main context cannot fire while the main
 * context is blocked (a deadlock in a callback, another thread owning the
 * context). This thread fails the program then, instead of letting it
 * hang until the runner kills it. */
typedef struct
{
  gint64      deadline;   /* monotonic, microseconds; 0 for none */
  const char *what;
} Watch;

static GMutex watchdog_lock;
static Watch  watchdog;

static gpointer
watchdog_run (gpointer data)
{
  for (;;)
    {
      g_usleep (G_USEC_PER_SEC / 4);
      g_mutex_lock (&watchdog_lock);
      if (watchdog.deadline != 0 && g_get_monotonic_time () > watchdog.deadline)
        {
          printf ("Bail out! the main thread is blocked: %s did not return in time\n",
                  watchdog.what);
          fflush (stdout);
          g_printerr ("the main thread is blocked: %s did not return in time\n", watchdog.what);
          abort ();
        }
      g_mutex_unlock (&watchdog_lock);
    }

  return NULL;
}

/* Arms the watchdog for @seconds (scaled) more; returns what it watched
 * before, for watchdog_restore(). */
static Watch
watchdog_arm (double      seconds,
              const char *what)
{
  Watch previous;

  g_mutex_lock (&watchdog_lock);
  previous = watchdog;
  watchdog.deadline = g_get_monotonic_time () + (gint64) (seconds * time_scale () * G_USEC_PER_SEC);
  watchdog.what = what;
  g_mutex_unlock (&watchdog_lock);

  return previous;
}

static void
watchdog_restore (Watch previous)
{
  g_mutex_lock (&watchdog_lock);
  watchdog = previous;
  g_mutex_unlock (&watchdog_lock);
}

/* -------------------------------------------------- bounded main loops */

typedef gboolean (*Condition) (gpointer data);

typedef struct
{
  GMainLoop *loop;
  Condition  done;
  gpointer   data;
  guint      check_id;
  guint      failsafe_id;
} RunUntil;

static gboolean
run_until_check (gpointer user_data)
{
  RunUntil *ru = user_data;

  if (ru->done (ru->data))
    g_main_loop_quit (ru->loop);

  return G_SOURCE_CONTINUE;
}

static gboolean
run_until_failsafe (gpointer user_data)
{
  RunUntil *ru = user_data;

  ru->failsafe_id = 0;
  g_main_loop_quit (ru->loop);

  return G_SOURCE_REMOVE;
}

/* Runs the default main context until @done says so (checked every 20 ms)
 * or @seconds (scaled) pass. Returns what @done says at the end. */
static gboolean
run_until (Condition done,
           gpointer  data,
           double    seconds)
{
  RunUntil ru = { NULL, done, data, 0, 0 };
  Watch previous;

  if (done (data))
    return TRUE;

  previous = watchdog_arm (seconds + 10, "a main loop with a failsafe timeout");
  ru.loop = g_main_loop_new (NULL, FALSE);
  ru.check_id = g_timeout_add (20, run_until_check, &ru);
  ru.failsafe_id = g_timeout_add ((guint) (seconds * time_scale () * 1000),
                                  run_until_failsafe, &ru);
  g_main_loop_run (ru.loop);
  g_source_remove (ru.check_id);
  if (ru.failsafe_id != 0)
    g_source_remove (ru.failsafe_id);
  g_main_loop_unref (ru.loop);
  watchdog_restore (previous);

  return done (data);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* Lets the main context run for @seconds (not scaled): events that would
 * come, come. */
static void
run_for (double seconds)
{
  RunUntil ru = { NULL, never, NULL, 0, 0 };
  Watch previous = watchdog_arm (seconds + 10, "a main loop with a failsafe timeout");

  ru.loop = g_main_loop_new (NULL, FALSE);
  ru.check_id = g_timeout_add (20, run_until_check, &ru);
  ru.failsafe_id = g_timeout_add ((guint) (seconds * 1000), run_until_failsafe, &ru);
  g_main_loop_run (ru.loop);
  g_source_remove (ru.check_id);
  g_main_loop_unref (ru.loop);
  watchdog_restore (previous);
}

/* The result of one async call, and how many times its callback ran. */
typedef struct
{
  GAsyncResult *result;
  guint         calls;
  gint64        time_us;
} AsyncSlot;

static void
async_slot_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncSlot *slot = user_data;

  assert_main_thread ("an async callback");
  slot->calls++;
  slot->time_us = g_get_monotonic_time ();
  g_set_object (&slot->result, result);
}

static gboolean
async_slot_done (gpointer data)
{
  return ((AsyncSlot *) data)->result != NULL;
}

/* Makes @slot ready for another call. */
static void
async_slot_clear (AsyncSlot *slot)
{
  g_clear_object (&slot->result);
  slot->calls = 0;
  slot->time_us = 0;
}

static GAsyncResult *
await_slot (AsyncSlot  *slot,
            double      seconds,
            const char *what)
{
  if (!run_until (async_slot_done, slot, seconds))
    g_error ("%s did not complete within %.0f s", what, seconds * time_scale ());

  return slot->result;
}

/* ------------------------------------------- the guest's serial console */

/* The serial log the serial_*() helpers read: the bed's, or in the hosts
 * cases the one of the host a case looks at. */
static const char *serial_log_path;

/* The guest's serial log as text; console noise may hold NUL bytes. */
static char *
serial_read (void)
{
  char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (serial_log_path != NULL ? serial_log_path : bed_env ("VMEM_BED_SERIAL_LOG"),
                            &contents, &length, NULL))
    return NULL;
  for (gsize i = 0; i < length; i++)
    if (contents[i] == '\0')
      contents[i] = ' ';

  return contents;
}

/* The last value the guest reported on a line "KEY <kB>" (KEY such as
 * "VMEM-MEMTOTAL" or "VMEM-NODE-MEMTOTAL 1"); FALSE if none yet. */
static gboolean
serial_last (const char *key,
             guint64    *out_kb)
{
  g_autofree char *contents = serial_read ();
  g_autofree char *needle = g_strconcat (key, " ", NULL);
  g_auto(GStrv) lines = NULL;
  gboolean found = FALSE;

  if (contents == NULL)
    return FALSE;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *p = strstr (lines[i], needle);
      char *end;
      guint64 value;

      if (p == NULL)
        continue;
      p += strlen (needle);
      if (!g_ascii_isdigit (*p))
        continue;
      value = g_ascii_strtoull (p, &end, 10);
      /* Only complete lines: the guest may be writing the last one. */
      if (*end != '\r' || lines[i + 1] == NULL)
        continue;
      *out_kb = value;
      found = TRUE;
    }

  return found;
}

/* The value the guest last reported for @key. Every case starts in a
 * settled bed (bed_settle()), where that is what the guest has. */
static guint64
serial_now (const char *key)
{
  guint64 value;

  if (!serial_last (key, &value))
    g_error ("the guest has not reported %s", key);

  return value;
}

/* Waits until the guest has what libvirt says it has (vmem-bed settle):
 * each virtio-mem device's <current> at its <requested>, and the guest's
 * MemTotal, whole and per node, its base plus what is plugged. */
static void
bed_settle_in (const char *workdir)
{
  g_autofree char *timeout = g_strdup_printf ("%.0f", 60 * time_scale ());
  const char *argv[] = { bed_env ("VMEM_BED"), "settle", "--timeout", timeout, workdir, NULL };
  g_autoptr(GError) error = NULL;
  Watch previous = watchdog_arm (60 * time_scale () + 10, "vmem-bed settle");
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL,
                     NULL, NULL, &status, &error))
    g_error ("cannot run vmem-bed settle: %s", error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("the guest does not have what libvirt says it has: %s", error->message);
  watchdog_restore (previous);
}

static void
bed_settle (void)
{
  bed_settle_in (bed_env ("VMEM_BED_WORKDIR"));
}

typedef struct
{
  const char *key;
  guint64     last;
  gint64      since_us;
  gboolean    have;
} Settle;

static gboolean
serial_settled_check (gpointer data)
{
  Settle *s = data;
  guint64 value;

  if (!serial_last (s->key, &value))
    return FALSE;
  if (!s->have || value != s->last)
    {
      s->have = TRUE;
      s->last = value;
      s->since_us = g_get_monotonic_time ();
      return FALSE;
    }

  /* The guest reports changes within 0.2 s. */
  return g_get_monotonic_time () - s->since_us >= G_USEC_PER_SEC;
}

/* The value of @key once it stayed the same for a second. */
static guint64
serial_settled (const char *key)
{
  Settle s = { key, 0, 0, FALSE };

  if (!run_until (serial_settled_check, &s, 20))
    g_error ("the guest's %s did not settle in 20 s (last %" G_GUINT64_FORMAT " kB)",
             key, s.last);

  return s.last;
}

typedef struct
{
  const char *key;
  guint64     want;
  GArray     *seen;
} SerialWait;

static gboolean
serial_wait_check (gpointer data)
{
  SerialWait *w = data;
  guint64 value;

  if (!serial_last (w->key, &value))
    return FALSE;
  if (w->seen->len == 0 || g_array_index (w->seen, guint64, w->seen->len - 1) != value)
    g_array_append_val (w->seen, value);

  return value == w->want;
}

/* Waits until the guest reports exactly @want_kb for @key; returns how long
 * that took. Fails with the values seen otherwise. */
static double
serial_wait_for (const char *key,
                 guint64     want_kb,
                 double      seconds)
{
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (guint64));
  SerialWait w = { key, want_kb, seen };
  gint64 t0 = g_get_monotonic_time ();

  if (!run_until (serial_wait_check, &w, seconds))
    {
      g_autoptr(GString) values = g_string_new (NULL);

      for (guint i = 0; i < seen->len; i++)
        g_string_append_printf (values, " %" G_GUINT64_FORMAT, g_array_index (seen, guint64, i));
      g_error ("the guest's %s did not reach %" G_GUINT64_FORMAT " kB within %.0f s; values seen:%s",
               key, want_kb, seconds * time_scale (), values->len ? values->str : " none");
    }

  return seconds_since (t0);
}

/* ---------------------------------------- plain libvirt, beside the library */

static void
quiet_libvirt_error (void        *user_data,
                     virErrorPtr  error)
{
}

/* A connection of the test's own to the bed's daemon, to see what libvirt
 * itself holds, independently of the library. */
static virConnectPtr
plain_open (void)
{
  const char *uri = bed_env ("VMEM_BED_URI");
  virConnectPtr conn = virConnectOpen (uri);

  if (conn == NULL)
    g_error ("plain libvirt cannot open %s: %s", uri, virGetLastErrorMessage ());
  virConnSetErrorFunc (conn, NULL, quiet_libvirt_error);

  return conn;
}

static xmlDoc *
plain_live_doc (virConnectPtr conn)
{
  const char *name = bed_env ("VMEM_BED_DOMAIN");
  virDomainPtr dom = virDomainLookupByName (conn, name);
  char *xml;
  xmlDoc *doc;

  if (dom == NULL)
    g_error ("plain libvirt cannot find %s: %s", name, virGetLastErrorMessage ());
  xml = virDomainGetXMLDesc (dom, 0);
  if (xml == NULL)
    g_error ("plain libvirt cannot read the live XML of %s: %s", name, virGetLastErrorMessage ());
  doc = test_xml_doc_new (xml);
  free (xml);
  virDomainFree (dom);

  return doc;
}

/* The <memory> element of the device @alias in the live XML, as text, or
 * %NULL when there is none. */
static char *
plain_device_xml (virConnectPtr  conn,
                  const char    *alias)
{
  g_autoptr(xmlDoc) doc = plain_live_doc (conn);
  g_autofree char *expr = g_strdup_printf ("//devices/memory[alias/@name='%s']", alias);
  g_autoptr(GPtrArray) nodes = test_xpath_nodes (doc, expr);
  xmlBuffer *buffer;
  char *text;

  if (nodes->len == 0)
    return NULL;
  g_assert_cmpuint (nodes->len, ==, 1);

  buffer = xmlBufferCreate ();
  xmlNodeDump (buffer, doc, g_ptr_array_index (nodes, 0), 0, 0);
  text = g_strdup ((const char *) xmlBufferContent (buffer));
  xmlBufferFree (buffer);

  return text;
}

/* <target>/@field of the device @alias in the live XML, in bytes. */
static guint64
plain_device_size (virConnectPtr  conn,
                   const char    *alias,
                   const char    *field)
{
  g_autoptr(xmlDoc) doc = plain_live_doc (conn);
  g_autofree char *expr = g_strdup_printf ("//devices/memory[alias/@name='%s']/target/%s", alias, field);
  g_autofree char *unit_expr = g_strdup_printf ("%s/@unit", expr);
  g_autofree char *value = test_xpath_string (doc, expr);
  g_autofree char *unit = test_xpath_string (doc, unit_expr);

  if (value == NULL)
    g_error ("the live XML has no <%s> for the device %s", field, alias);
  /* libvirt writes live sizes in KiB. */
  g_assert_cmpstr (unit, ==, "KiB");

  return g_ascii_strtoull (value, NULL, 10) * KiB;
}

static guint
plain_count (virConnectPtr  conn,
             const char    *expr)
{
  g_autoptr(xmlDoc) doc = plain_live_doc (conn);

  return test_xpath_count (doc, expr);
}

/* --------------------------------------- the daemon's log of API calls */

/* The bed's libvirtd logs warnings only. Through its admin socket the test
 * makes it log every public API call it serves (libvirt's "libvirt.domain"
 * debug messages, one per call, with its arguments), and puts it back as it
 * was afterwards. virt-admin does the talking: libvirt-admin and libvirt
 * in one process register libvirt's object types twice. */
typedef struct
{
  char *uri;
  char *outputs;
  char *filters;
} ApiLog;

/* Runs virt-admin on the bed's admin socket; returns the value it prints
 * after "Logging outputs:" or "Logging filters:" when asked for one. */
static char *
virt_admin (ApiLog     *log,
            const char *command,
            const char *value)
{
  const char *argv[] = { "virt-admin", "-c", log->uri, command, value, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *colon;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error))
    g_error ("cannot run virt-admin: %s", error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("virt-admin %s %s: %s\n%s", command, value ? value : "", error->message, err);

  if (value != NULL)
    return NULL;
  colon = strchr (out, ':');
  if (colon == NULL)
    g_error ("virt-admin %s printed no value: %s", command, out);

  return g_strstrip (g_strdup (colon + 1));
}

static void
api_log_start (ApiLog *log)
{
  g_auto(GStrv) outputs = NULL;
  g_autoptr(GString) debug_outputs = g_string_new (NULL);

  log->uri = g_strdup_printf ("libvirtd:///system?socket=%s/run/libvirt/libvirt-admin-sock",
                              bed_env ("VMEM_BED_WORKDIR"));
  log->outputs = virt_admin (log, "daemon-log-outputs", NULL);
  log->filters = virt_admin (log, "daemon-log-filters", NULL);

  /* The same outputs ("3:file:/var/log/libvirt/libvirtd.log"), at debug. */
  outputs = g_strsplit (log->outputs, " ", -1);
  for (guint i = 0; outputs[i] != NULL; i++)
    {
      const char *colon = strchr (outputs[i], ':');

      if (colon == NULL)
        continue;
      g_string_append_printf (debug_outputs, "%s1%s", debug_outputs->len ? " " : "", colon);
    }
  if (strstr (debug_outputs->str, ":file:") == NULL)
    g_error ("the daemon logs to no file (outputs '%s')", log->outputs);

  virt_admin (log, "daemon-log-filters", "1:libvirt.domain");
  virt_admin (log, "daemon-log-outputs", debug_outputs->str);
}

static void
api_log_stop (ApiLog *log)
{
  virt_admin (log, "daemon-log-outputs", log->outputs);
  virt_admin (log, "daemon-log-filters", log->filters);
  g_free (log->uri);
  g_free (log->outputs);
  g_free (log->filters);
}

static char *
api_log_marker_name (const char *label)
{
  return g_strdup_printf ("vmem-live-marker-%s-%d", label, (int) getpid ());
}

/* A call the daemon logs with @label in it: looking up a domain that does
 * not exist. It is logged before the daemon answers. */
static void
api_log_marker (virConnectPtr  conn,
                const char    *label)
{
  g_autofree char *name = api_log_marker_name (label);
  virDomainPtr dom = virDomainLookupByName (conn, name);

  g_assert_null (dom);
  virResetLastError ();
}

typedef struct
{
  const char *marker;
  gboolean    found;
} LogHas;

static gboolean
api_log_has_marker (gpointer data)
{
  LogHas *has = data;
  g_autofree char *contents = NULL;

  if (g_file_get_contents (bed_env ("VMEM_BED_DAEMON_LOG"), &contents, NULL, NULL))
    has->found = strstr (contents, has->marker) != NULL;

  return has->found;
}

/* The API calls (function names) the daemon logged between the markers
 * @begin and @end, in order. */
static GPtrArray *
api_log_calls_between (const char *begin,
                        const char *end)
{
  g_autofree char *begin_name = api_log_marker_name (begin);
  g_autofree char *end_name = api_log_marker_name (end);
  g_autofree char *begin_arg = g_strconcat ("name=", begin_name, NULL);
  g_autofree char *end_arg = g_strconcat ("name=", end_name, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *calls = g_ptr_array_new_with_free_func (g_free);
  LogHas has = { end_arg, FALSE };
  gboolean inside = FALSE, seen_begin = FALSE, seen_end = FALSE;

  if (!run_until (api_log_has_marker, &has, 10))
    g_error ("the marker %s never appeared in %s", end_name, bed_env ("VMEM_BED_DAEMON_LOG"));

  g_assert_true (g_file_get_contents (bed_env ("VMEM_BED_DAEMON_LOG"), &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *call = strstr (lines[i], " debug : vir");

      if (strstr (lines[i], begin_arg) != NULL)
        {
          inside = seen_begin = TRUE;
          continue;
        }
      if (strstr (lines[i], end_arg) != NULL)
        {
          seen_end = TRUE;
          break;
        }
      if (inside && call != NULL)
        {
          const char *name = call + strlen (" debug : ");
          g_ptr_array_add (calls, g_strndup (name, strcspn (name, ":")));
        }
    }
  g_assert_true (seen_begin);
  g_assert_true (seen_end);

  return calls;
}

/* ------------------------------------------------------- signal records */

typedef struct
{
  double            time_s;
  VmemMemoryDevice *device;   /* not owned: compared, never used */
  char             *alias;
  guint64           size;
} SizeSignal;

static void
size_signal_clear (gpointer data)
{
  g_free (((SizeSignal *) data)->alias);
}

/* Every memory-device-size-changed of a domain, with its time. */
typedef struct
{
  VmemDomain *domain;
  gulong      handler;
  gint64      t0;
  GArray     *signals;
} SignalLog;

static void
on_size_changed (VmemDomain       *domain,
                 VmemMemoryDevice *device,
                 guint64           size,
                 gpointer          user_data)
{
  SignalLog *log = user_data;
  SizeSignal s;

  assert_main_thread ("memory-device-size-changed");
  g_assert_true (VMEM_IS_MEMORY_DEVICE (device));
  s.time_s = seconds_since (log->t0);
  s.device = device;
  s.alias = g_strdup (vmem_memory_device_get_alias (device));
  s.size = size;
  g_array_append_val (log->signals, s);
}

static void
signal_log_start (SignalLog  *log,
                  VmemDomain *domain)
{
  log->domain = domain;
  log->t0 = g_get_monotonic_time ();
  log->signals = g_array_new (FALSE, FALSE, sizeof (SizeSignal));
  g_array_set_clear_func (log->signals, size_signal_clear);
  log->handler = g_signal_connect (domain, "memory-device-size-changed",
                                   G_CALLBACK (on_size_changed), log);
}

static void
signal_log_stop (SignalLog *log)
{
  g_clear_signal_handler (&log->handler, log->domain);
  g_clear_pointer (&log->signals, g_array_unref);
}

/* The signals for @alias, in order. */
static GPtrArray *
signal_log_for (SignalLog  *log,
                const char *alias)
{
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < log->signals->len; i++)
    {
      SizeSignal *s = &g_array_index (log->signals, SizeSignal, i);

      if (g_strcmp0 (s->alias, alias) == 0)
        g_ptr_array_add (found, s);
    }

  return found;
}

/* Every notify::PROPERTY of an object, with the value at that time. */
typedef struct
{
  GObject    *object;
  const char *property;
  gulong      handler;
  GArray     *values;   /* guint64 */
} NotifyLog;

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  NotifyLog *log = user_data;
  GValue value = G_VALUE_INIT;
  guint64 v;

  assert_main_thread ("a notify");
  g_value_init (&value, pspec->value_type);
  g_object_get_property (object, pspec->name, &value);
  v = G_VALUE_HOLDS_UINT64 (&value) ? g_value_get_uint64 (&value) : g_value_get_uint (&value);
  g_value_unset (&value);
  g_array_append_val (log->values, v);
}

static void
notify_log_start (NotifyLog  *log,
                  gpointer    object,
                  const char *property)
{
  g_autofree char *detailed = g_strconcat ("notify::", property, NULL);

  log->object = object;
  log->property = property;
  log->values = g_array_new (FALSE, FALSE, sizeof (guint64));
  log->handler = g_signal_connect (object, detailed, G_CALLBACK (on_notify), log);
}

static void
notify_log_stop (NotifyLog *log)
{
  g_clear_signal_handler (&log->handler, log->object);
  g_clear_pointer (&log->values, g_array_unref);
}

/* ---------------------------------------------------------------- fixture */

typedef struct
{
  VmemConnection *connection;
  VmemDomain     *domain;
  GListModel     *devices;
  VmemVirtioMem  *vmem;       /* virtiomem0 */
} Live;

static const char *
bed_mode_name (BedMode mode)
{
  switch (mode)
    {
    case BED_DEFAULT: return "default";
    case BED_TWO_NODES: return "two-nodes";
    case BED_NO_VIRTIO_MEM: return "no-virtio-mem";
    case BED_DAEMON_KILLED: return "daemon-killed";
    case BED_HOSTS: return "hosts";
    default: g_assert_not_reached ();
    }
}

/* Whether the guest's init loaded virtio_mem (its VMEM-READY line). */
static gboolean
guest_has_virtio_mem (void)
{
  g_autofree char *contents = serial_read ();
  const char *ready;
  g_autofree char *modules = NULL;
  g_auto(GStrv) names = NULL;

  if (contents == NULL)
    g_error ("cannot read the guest's serial log %s", bed_env ("VMEM_BED_SERIAL_LOG"));
  ready = strstr (contents, "VMEM-READY modules=");
  if (ready == NULL)
    g_error ("the guest never reported VMEM-READY on %s", bed_env ("VMEM_BED_SERIAL_LOG"));
  ready += strlen ("VMEM-READY modules=");
  modules = g_strndup (ready, strcspn (ready, "\r\n"));
  names = g_strsplit (modules, ",", -1);

  return g_strv_contains ((const char * const *) names, "virtio_mem");
}

static VmemVirtioMem *
live_virtio_mem (Live       *live,
                 const char *alias)
{
  VmemMemoryDevice *device = vmem_domain_find_memory_device (live->domain, alias);

  if (device == NULL)
    g_error ("the domain has no device %s", alias);
  g_assert_true (VMEM_IS_VIRTIO_MEM (device));
  g_assert_cmpstr (vmem_memory_device_get_alias (device), ==, alias);

  return VMEM_VIRTIO_MEM (device);
}

static void
live_set_up (Live          *live,
             gconstpointer  data)
{
  BedMode mode = GPOINTER_TO_INT (data);
  const char *variant = bed_env ("VMEM_BED_VARIANT");
  const char *name = bed_env ("VMEM_BED_DOMAIN");
  g_autoptr(GError) error = NULL;
  guint64 start_current;
  guint n_vmem = 0;

  /* No case takes this long, blocking calls included. */
  watchdog_arm (120, "the test case");

  /* The bed must be the one the cases were written for. */
  if (g_strcmp0 (variant, mode == BED_TWO_NODES ? "two-nodes" : "default") != 0)
    g_error ("--bed %s needs the %s variant of the bed, this is '%s'", bed_mode_name (mode),
             mode == BED_TWO_NODES ? "two-nodes" : "default", variant);
  if (guest_has_virtio_mem () != (mode != BED_NO_VIRTIO_MEM))
    g_error ("--bed %s needs a guest %s virtio_mem (vmem-bed run%s)", bed_mode_name (mode),
             mode == BED_NO_VIRTIO_MEM ? "without" : "with",
             mode == BED_NO_VIRTIO_MEM ? " --no-virtio-mem" : ", without --no-virtio-mem");

  /* Every case starts where the guest has what libvirt says it has; the
   * bed is ready so, and every case leaves it so. */
  bed_settle ();

  live->connection = vmem_connection_new (bed_env ("VMEM_BED_URI"));
  g_assert_cmpstr (vmem_connection_get_uri (live->connection), ==, bed_env ("VMEM_BED_URI"));
  g_assert_false (vmem_connection_is_open (live->connection));
  if (!vmem_connection_open (live->connection, NULL, &error))
    g_error ("cannot open %s: %s", bed_env ("VMEM_BED_URI"), error->message);
  g_assert_true (vmem_connection_is_open (live->connection));

  live->domain = vmem_connection_lookup_domain (live->connection, name, &error);
  g_assert_no_error (error);
  g_assert_nonnull (live->domain);
  g_assert_cmpstr (vmem_domain_get_name (live->domain), ==, name);
  g_assert_true (vmem_domain_get_connection (live->domain) == live->connection);
  g_assert_cmpint (vmem_domain_get_state (live->domain), ==, VMEM_DOMAIN_STATE_RUNNING);
  g_assert_true (vmem_domain_is_active (live->domain));

  live->devices = g_object_ref (vmem_domain_get_memory_devices (live->domain));
  g_assert_true (g_type_is_a (g_list_model_get_item_type (live->devices), VMEM_TYPE_MEMORY_DEVICE));
  for (guint i = 0; i < g_list_model_get_n_items (live->devices); i++)
    {
      g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (live->devices, i);

      if (VMEM_IS_VIRTIO_MEM (device))
        n_vmem++;
    }
  g_assert_cmpuint (n_vmem, ==, mode == BED_TWO_NODES ? 2 : 1);

  /* The bed's state, which every case leaves as it found it: 128 MiB
   * requested and plugged; nothing plugs without virtio_mem. */
  start_current = mode == BED_NO_VIRTIO_MEM ? 0 : VMEM_START;
  for (guint i = 0; i < n_vmem; i++)
    {
      g_autofree char *alias = g_strdup_printf ("virtiomem%u", i);
      VmemVirtioMem *vm = live_virtio_mem (live, alias);

      g_assert_cmpuint (vmem_memory_device_get_size (VMEM_MEMORY_DEVICE (vm)), ==, VMEM_SIZE);
      g_assert_cmpint (vmem_memory_device_get_node (VMEM_MEMORY_DEVICE (vm)), ==, (int) i);
      g_assert_cmpuint (vmem_virtio_mem_get_block_size (vm), ==, VMEM_BLOCK);
      g_assert_cmpuint (vmem_virtio_mem_get_requested_size (vm), ==, VMEM_START);
      g_assert_cmpuint (vmem_virtio_mem_get_current_size (vm), ==, start_current);
    }
  live->vmem = g_object_ref (live_virtio_mem (live, "virtiomem0"));
}

static void
live_tear_down (Live          *live,
                gconstpointer  data)
{
  g_clear_object (&live->vmem);
  g_clear_object (&live->devices);
  g_clear_object (&live->domain);
  if (live->connection != NULL)
    vmem_connection_close (live->connection);
  g_clear_object (&live->connection);
  watchdog_restore ((Watch) { 0, NULL });
}

/* ------------------------------------------------------------ resizing */

/* One resize_async() in flight, and what is checked about it. */
typedef struct
{
  VmemVirtioMem *device;
  const char    *alias;
  guint64        from;
  guint64        target;
  gint64         t0;
  AsyncSlot      slot;
  NotifyLog      current;
} Resize;

static void
resize_start (Resize        *r,
              VmemVirtioMem *device,
              guint64        target)
{
  memset (r, 0, sizeof *r);
  r->device = device;
  r->alias = vmem_memory_device_get_alias (VMEM_MEMORY_DEVICE (device));
  r->from = vmem_virtio_mem_get_current_size (device);
  r->target = target;
  notify_log_start (&r->current, device, "current-size");
  r->t0 = g_get_monotonic_time ();
  vmem_virtio_mem_resize_async (device, target, NULL, async_slot_cb, &r->slot);
}

typedef struct
{
  SignalLog  *log;
  const char *alias;
  guint64     size;
} LastSignal;

static gboolean
last_signal_is (gpointer data)
{
  LastSignal *ls = data;
  g_autoptr(GPtrArray) mine = signal_log_for (ls->log, ls->alias);

  return mine->len > 0 && ((SizeSignal *) g_ptr_array_index (mine, mine->len - 1))->size == ls->size;
}

/* Checks a completed resize: success, the sizes, the signals of its device
 * (in @log) and its notify::current-size; prints what happened. */
static void
resize_check (Resize    *r,
              SignalLog *log,
              double    *out_done_s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) mine = NULL;
  g_autofree char *from = size_text (r->from);
  g_autofree char *target = size_text (r->target);
  g_autoptr(GString) sequence = g_string_new (NULL);
  LastSignal ls = { log, r->alias, r->target };
  gboolean growing = r->target > r->from;
  double done_s = (double) (r->slot.time_us - r->t0) / G_USEC_PER_SEC;
  gboolean final_before_done;
  guint64 previous = r->from;

  g_assert_cmpuint (r->slot.calls, ==, 1);
  if (!vmem_virtio_mem_resize_finish (r->device, r->slot.result, &error))
    g_error ("%s: resize %s -> %s failed after %.2f s: %s (%s, %d)", r->alias, from, target,
             done_s, error->message, g_quark_to_string (error->domain), error->code);

  /* Done means the guest has it. */
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (r->device), ==, r->target);
  g_assert_cmpuint (vmem_virtio_mem_get_current_size (r->device), ==, r->target);

  /* QEMU sends the final size up to a second after an intermediate one;
   * the final signal comes with the completion or shortly after. */
  final_before_done = last_signal_is (&ls);
  if (!final_before_done && !run_until (last_signal_is, &ls, 3))
    {
      mine = signal_log_for (log, r->alias);
      g_error ("%s: no memory-device-size-changed with the final size %s within 3 s of the "
               "resize's completion (%u signals for the device)", r->alias, target, mine->len);
    }

  mine = signal_log_for (log, r->alias);
  for (guint i = 0; i < mine->len; i++)
    {
      SizeSignal *s = g_ptr_array_index (mine, i);
      g_autofree char *size = size_text (s->size);

      g_string_append_printf (sequence, "%s+%.3f s %s", i ? ", " : "", s->time_s -
                              (double) (r->t0 - log->t0) / G_USEC_PER_SEC, size);
      /* The device the signal names is the very object of the model. */
      g_assert_true (s->device == VMEM_MEMORY_DEVICE (r->device));
      /* Every size lies between the start and the target, each one closer
       * to the target than (or as close as) the one before. */
      if (growing)
        {
          g_assert_cmpuint (s->size, >=, previous);
          g_assert_cmpuint (s->size, <=, r->target);
        }
      else
        {
          g_assert_cmpuint (s->size, <=, previous);
          g_assert_cmpuint (s->size, >=, r->target);
        }
      previous = s->size;
    }
  g_test_message ("%s: %s -> %s done in %.3f s (final signal %s the completion); signals: %s",
                  r->alias, from, target, done_s, final_before_done ? "before" : "after",
                  sequence->str);

  g_assert_cmpuint (mine->len, >=, 1);
  g_assert_cmpuint (((SizeSignal *) g_ptr_array_index (mine, mine->len - 1))->size, ==, r->target);

  /* notify::current-size followed the same way, to the target. */
  g_assert_cmpuint (r->current.values->len, >=, 1);
  previous = r->from;
  for (guint i = 0; i < r->current.values->len; i++)
    {
      guint64 v = g_array_index (r->current.values, guint64, i);

      g_assert_cmpuint (v, !=, previous);
      if (growing)
        g_assert_cmpuint (v, >, previous);
      else
        g_assert_cmpuint (v, <, previous);
      previous = v;
    }
  g_assert_cmpuint (previous, ==, r->target);

  if (out_done_s != NULL)
    *out_done_s = done_s;
}

static void
resize_clear (Resize *r)
{
  notify_log_stop (&r->current);
  async_slot_clear (&r->slot);
}

/* Resizes @device to @target and checks everything about it. */
static double
resize_checked (Live          *live,
                VmemVirtioMem *device,
                guint64        target)
{
  SignalLog log;
  Resize r;
  double done_s;

  signal_log_start (&log, live->domain);
  resize_start (&r, device, target);
  await_slot (&r.slot, 60, "resize_async()");
  resize_check (&r, &log, &done_s);
  resize_clear (&r);
  signal_log_stop (&log);

  return done_s;
}

/* Resizes @device to @target, checking only that it gets there. */
static void
resize_plain (VmemVirtioMem *device,
              guint64        target)
{
  AsyncSlot slot = { 0 };
  g_autoptr(GError) error = NULL;

  vmem_virtio_mem_resize_async (device, target, NULL, async_slot_cb, &slot);
  await_slot (&slot, 60, "resize_async()");
  vmem_virtio_mem_resize_finish (device, slot.result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vmem_virtio_mem_get_current_size (device), ==, target);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (device), ==, target);
  async_slot_clear (&slot);
}

/* ----------------------------------------------------------------- cases */

static void
test_grow_shrink (Live          *live,
                  gconstpointer  data)
{
  double grow_s, shrink_s;

  grow_s = resize_checked (live, live->vmem, VMEM_SIZE);
  shrink_s = resize_checked (live, live->vmem, VMEM_START);
  g_test_message ("grow to 1 GiB in %.3f s, shrink to 128 MiB in %.3f s", grow_s, shrink_s);
}

static void
test_memtotal_follows (Live          *live,
                       gconstpointer  data)
{
  guint64 total = serial_now ("VMEM-MEMTOTAL");
  guint64 node = serial_now ("VMEM-NODE-MEMTOTAL 0");
  guint64 delta_kb = (VMEM_SIZE - VMEM_START) / KiB;
  double t, tn;

  g_test_message ("before: MemTotal %" G_GUINT64_FORMAT " kB, node 0 %" G_GUINT64_FORMAT " kB",
                  total, node);

  resize_plain (live->vmem, VMEM_SIZE);
  t = serial_wait_for ("VMEM-MEMTOTAL", total + delta_kb, 30);
  tn = serial_wait_for ("VMEM-NODE-MEMTOTAL 0", node + delta_kb, 30);
  g_test_message ("grown: MemTotal %" G_GUINT64_FORMAT " kB (+%" G_GUINT64_FORMAT
                  " kB) %.2f s after the resize completed, node 0 after %.2f s",
                  total + delta_kb, delta_kb, t, tn);
  /* And it stays there: nothing else plugs. */
  run_for (1);
  g_assert_cmpuint (serial_settled ("VMEM-MEMTOTAL"), ==, total + delta_kb);

  resize_plain (live->vmem, VMEM_START);
  t = serial_wait_for ("VMEM-MEMTOTAL", total, 30);
  tn = serial_wait_for ("VMEM-NODE-MEMTOTAL 0", node, 30);
  g_test_message ("shrunk: MemTotal %" G_GUINT64_FORMAT " kB (-%" G_GUINT64_FORMAT
                  " kB) %.2f s after the resize completed, node 0 after %.2f s",
                  total, delta_kb, t, tn);
  run_for (1);
  g_assert_cmpuint (serial_settled ("VMEM-MEMTOTAL"), ==, total);
}

static void
expect_refused (gboolean    ok,
                GError     *error,
                int         code,
                const char *what)
{
  if (ok || !g_error_matches (error, VMEM_ERROR, code))
    g_error ("%s: expected VMEM_ERROR %d, got %s", what, code,
             ok ? "success" : error->message);
  g_test_message ("%s refused: %s", what, error->message);
}

static void
test_refused_nothing_sent (Live          *live,
                           gconstpointer  data)
{
  virConnectPtr conn = plain_open ();
  g_autofree char *before = plain_device_xml (conn, "virtiomem0");
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) control = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  virDomainPtr dom;
  SignalLog log;
  NotifyLog requested, current;
  ApiLog api = { 0 };
  struct {
    guint64     size;
    int         code;
    const char *what;
  } refused[] = {
    { 3 * MiB, VMEM_ERROR_NOT_ALIGNED, "3 MiB (not a multiple of the 2 MiB block)" },
    { 2 * GiB, VMEM_ERROR_OUT_OF_RANGE, "2 GiB (over the 1 GiB size)" },
  };

  g_assert_nonnull (before);
  g_assert_cmpuint (plain_device_size (conn, "virtiomem0", "requested"), ==, VMEM_START);

  api_log_start (&api);

  /* The log sees a change that is sent: the unchanged live XML of the
   * device, which libvirt accepts, sent by the test itself. */
  dom = virDomainLookupByName (conn, bed_env ("VMEM_BED_DOMAIN"));
  g_assert_nonnull (dom);
  api_log_marker (conn, "control-begin");
  if (virDomainUpdateDeviceFlags (dom, before, VIR_DOMAIN_AFFECT_LIVE) < 0)
    g_error ("plain libvirt: updating virtiomem0 with its own live XML failed: %s",
             virGetLastErrorMessage ());
  api_log_marker (conn, "control-end");
  virDomainFree (dom);
  control = api_log_calls_between ("control-begin", "control-end");
  g_assert_cmpuint (control->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (control, 0), ==, "virDomainUpdateDeviceFlags");

  signal_log_start (&log, live->domain);
  notify_log_start (&requested, live->vmem, "requested-size");
  notify_log_start (&current, live->vmem, "current-size");

  api_log_marker (conn, "refused-begin");
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *what = NULL;
      AsyncSlot slot = { 0 };
      gboolean ok;

      ok = vmem_virtio_mem_set_requested_size (live->vmem, refused[i].size, VMEM_AFFECT_LIVE,
                                               NULL, &error);
      what = g_strdup_printf ("set_requested_size %s", refused[i].what);
      expect_refused (ok, error, refused[i].code, what);
      g_clear_error (&error);
      g_clear_pointer (&what, g_free);

      vmem_virtio_mem_set_requested_size_async (live->vmem, refused[i].size, VMEM_AFFECT_LIVE,
                                                NULL, async_slot_cb, &slot);
      await_slot (&slot, 10, "set_requested_size_async()");
      ok = vmem_virtio_mem_set_requested_size_finish (live->vmem, slot.result, &error);
      what = g_strdup_printf ("set_requested_size_async %s", refused[i].what);
      expect_refused (ok, error, refused[i].code, what);
      g_clear_error (&error);
      g_clear_pointer (&what, g_free);
      async_slot_clear (&slot);

      vmem_virtio_mem_resize_async (live->vmem, refused[i].size, NULL, async_slot_cb, &slot);
      await_slot (&slot, 10, "resize_async()");
      ok = vmem_virtio_mem_resize_finish (live->vmem, slot.result, &error);
      what = g_strdup_printf ("resize_async %s", refused[i].what);
      expect_refused (ok, error, refused[i].code, what);
      g_assert_cmpuint (slot.calls, ==, 1);
      async_slot_clear (&slot);
    }
  api_log_marker (conn, "refused-end");

  /* Nothing at all reached the daemon in between. */
  calls = api_log_calls_between ("refused-begin", "refused-end");
  for (guint i = 0; i < calls->len; i++)
    g_test_message ("the daemon served %s during the refused calls",
                    (const char *) g_ptr_array_index (calls, i));
  g_assert_cmpuint (calls->len, ==, 0);
  api_log_stop (&api);

  /* Nothing changed, nothing moves afterwards. */
  run_for (2.0);
  g_assert_cmpuint (log.signals->len, ==, 0);
  g_assert_cmpuint (requested.values->len, ==, 0);
  g_assert_cmpuint (current.values->len, ==, 0);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (live->vmem), ==, VMEM_START);
  g_assert_cmpuint (vmem_virtio_mem_get_current_size (live->vmem), ==, VMEM_START);

  after = plain_device_xml (conn, "virtiomem0");
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (plain_device_size (conn, "virtiomem0", "requested"), ==, VMEM_START);

  notify_log_stop (&current);
  notify_log_stop (&requested);
  signal_log_stop (&log);
  virConnectClose (conn);
}

typedef struct
{
  VmemVirtioMem *device;
  guint64        size;
} CurrentIs;

static gboolean
current_is (gpointer data)
{
  CurrentIs *c = data;

  return vmem_virtio_mem_get_current_size (c->device) == c->size;
}

static double
wait_current (VmemVirtioMem *device,
              guint64        size,
              double         seconds)
{
  CurrentIs c = { device, size };
  gint64 t0 = g_get_monotonic_time ();

  if (!run_until (current_is, &c, seconds))
    {
      g_autofree char *want = size_text (size);
      g_autofree char *got = size_text (vmem_virtio_mem_get_current_size (device));

      g_error ("%s: current-size is %s, not %s, %.0f s after the request",
               vmem_memory_device_get_alias (VMEM_MEMORY_DEVICE (device)), got, want,
               seconds * time_scale ());
    }

  return seconds_since (t0);
}

static void
test_set_requested_size (Live          *live,
                         gconstpointer  data)
{
  virConnectPtr conn = plain_open ();
  g_autoptr(GError) error = NULL;
  NotifyLog requested;
  AsyncSlot slot = { 0 };
  gint64 t0;
  double call_s, follow_s;

  /* Synchronous, live. */
  notify_log_start (&requested, live->vmem, "requested-size");
  t0 = g_get_monotonic_time ();
  if (!vmem_virtio_mem_set_requested_size (live->vmem, 256 * MiB, VMEM_AFFECT_LIVE, NULL, &error))
    g_error ("set_requested_size 256 MiB: %s", error->message);
  call_s = seconds_since (t0);
  /* The property says so on return, and libvirt holds it. */
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (live->vmem), ==, 256 * MiB);
  g_assert_cmpuint (requested.values->len, ==, 1);
  g_assert_cmpuint (g_array_index (requested.values, guint64, 0), ==, 256 * MiB);
  g_assert_cmpuint (plain_device_size (conn, "virtiomem0", "requested"), ==, 256 * MiB);

  follow_s = wait_current (live->vmem, 256 * MiB, 30);
  g_assert_cmpuint (plain_device_size (conn, "virtiomem0", "current"), ==, 256 * MiB);
  /* One notification for one change, none from the guest's progress. */
  g_assert_cmpuint (requested.values->len, ==, 1);
  g_test_message ("set_requested_size 256 MiB returned in %.3f s, current-size followed %.3f s later",
                  call_s, follow_s);

  /* Asynchronous, back to the start. */
  g_array_set_size (requested.values, 0);
  t0 = g_get_monotonic_time ();
  vmem_virtio_mem_set_requested_size_async (live->vmem, VMEM_START, VMEM_AFFECT_LIVE, NULL,
                                            async_slot_cb, &slot);
  await_slot (&slot, 30, "set_requested_size_async()");
  if (!vmem_virtio_mem_set_requested_size_finish (live->vmem, slot.result, &error))
    g_error ("set_requested_size_async 128 MiB: %s", error->message);
  call_s = seconds_since (t0);
  g_assert_cmpuint (slot.calls, ==, 1);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (live->vmem), ==, VMEM_START);
  g_assert_cmpuint (requested.values->len, ==, 1);
  g_assert_cmpuint (plain_device_size (conn, "virtiomem0", "requested"), ==, VMEM_START);
  follow_s = wait_current (live->vmem, VMEM_START, 30);
  g_assert_cmpuint (plain_device_size (conn, "virtiomem0", "current"), ==, VMEM_START);
  g_test_message ("set_requested_size_async 128 MiB completed in %.3f s, current-size followed %.3f s later",
                  call_s, follow_s);

  async_slot_clear (&slot);
  notify_log_stop (&requested);
  virConnectClose (conn);
}

/* The aliases of the DIMMs in the device model. */
static GPtrArray *
model_dimm_aliases (GListModel *devices)
{
  GPtrArray *aliases = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (devices, i);

      if (VMEM_IS_DIMM (device))
        g_ptr_array_add (aliases, g_strdup (vmem_memory_device_get_alias (device)));
    }

  return aliases;
}

static gboolean
model_has_alias (GListModel *devices,
                 const char *alias)
{
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (devices, i);

      if (g_strcmp0 (vmem_memory_device_get_alias (device), alias) == 0)
        return TRUE;
    }

  return FALSE;
}

static gboolean
model_has_dimm (gpointer data)
{
  g_autoptr(GPtrArray) aliases = model_dimm_aliases (data);

  return aliases->len > 0;
}

typedef struct
{
  GListModel *devices;
  const char *alias;
} ModelLacks;

static gboolean
model_lacks (gpointer data)
{
  ModelLacks *m = data;

  return !model_has_alias (m->devices, m->alias);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  guint *changes = user_data;

  assert_main_thread ("items-changed");
  (*changes)++;
}

static void
test_dimm_attach_detach (Live          *live,
                         gconstpointer  data)
{
  virConnectPtr conn = plain_open ();
  guint64 total = serial_now ("VMEM-MEMTOTAL");
  guint n_before = g_list_model_get_n_items (live->devices);
  guint changes = 0;
  gulong handler;

  handler = g_signal_connect (live->devices, "items-changed", G_CALLBACK (on_items_changed), &changes);
  g_assert_cmpuint (plain_count (conn, "//devices/memory[@model='dimm']"), ==, 0);

  /* Once with the synchronous attach, once with the asynchronous one. */
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(VmemDimm) dimm = vmem_dimm_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) aliases = NULL;
      g_autofree char *alias = NULL;
      g_autofree char *xpath = NULL;
      ModelLacks lacks = { live->devices, NULL };
      g_autoptr(VmemMemoryDevice) attached = NULL;
      AsyncSlot slot = { 0 };
      gint64 t0;
      double attach_s, model_s, guest_s, detach_s, guest_back_s;

      vmem_memory_device_set_size (VMEM_MEMORY_DEVICE (dimm), 128 * MiB);
      vmem_memory_device_set_node (VMEM_MEMORY_DEVICE (dimm), 0);

      changes = 0;
      t0 = g_get_monotonic_time ();
      if (round == 0)
        {
          attached = vmem_domain_attach_device (live->domain, VMEM_MEMORY_DEVICE (dimm),
                                                VMEM_AFFECT_LIVE, NULL, &error);
        }
      else
        {
          vmem_domain_attach_device_async (live->domain, VMEM_MEMORY_DEVICE (dimm),
                                           VMEM_AFFECT_LIVE, NULL, async_slot_cb, &slot);
          await_slot (&slot, 30, "attach_device_async()");
          g_assert_cmpuint (slot.calls, ==, 1);
          attached = vmem_domain_attach_device_finish (live->domain, slot.result, &error);
          async_slot_clear (&slot);
        }
      if (attached == NULL)
        g_error ("attaching a 128 MiB DIMM (%s): %s", round == 0 ? "sync" : "async", error->message);
      attach_s = seconds_since (t0);
      /* In the model as soon as the call returned, with libvirt's alias. */
      g_assert_nonnull (vmem_memory_device_get_alias (attached));
      g_assert_true (vmem_domain_find_memory_device (live->domain,
                                                     vmem_memory_device_get_alias (attached)) == attached);

      /* The model gets it, with the alias libvirt gave it. */
      if (!run_until (model_has_dimm, live->devices, 10))
        g_error ("the attached DIMM did not appear in the domain's device model within 10 s");
      model_s = seconds_since (t0);
      aliases = model_dimm_aliases (live->devices);
      g_assert_cmpuint (aliases->len, ==, 1);
      alias = g_strdup (g_ptr_array_index (aliases, 0));
      g_assert_nonnull (alias);
      g_assert_cmpstr (alias, !=, "");
      /* The attach returned it: the live device of the model, with the
       * alias libvirt gave it. */
      g_assert_true (vmem_memory_device_is_live (attached));
      g_assert_cmpstr (vmem_memory_device_get_alias (attached), ==, alias);
      g_assert_true (vmem_domain_find_memory_device (live->domain, alias) == attached);
      g_assert_cmpuint (g_list_model_get_n_items (live->devices), ==, n_before + 1);
      g_assert_cmpuint (changes, >=, 1);
      {
        VmemMemoryDevice *found = vmem_domain_find_memory_device (live->domain, alias);

        g_assert_nonnull (found);
        g_assert_true (VMEM_IS_DIMM (found));
        g_assert_cmpuint (vmem_memory_device_get_size (found), ==, 128 * MiB);
        g_assert_cmpint (vmem_memory_device_get_node (found), ==, 0);
      }
      xpath = g_strdup_printf ("//devices/memory[@model='dimm'][alias/@name='%s']", alias);
      g_assert_cmpuint (plain_count (conn, xpath), ==, 1);

      /* The guest has it. */
      guest_s = serial_wait_for ("VMEM-MEMTOTAL", total + 128 * MiB / KiB, 30);
      g_test_message ("DIMM %s attached (%s) in %.3f s, in the model after %.3f s, "
                      "guest MemTotal +131072 kB %.2f s later",
                      alias, round == 0 ? "sync" : "async", attach_s, model_s, guest_s);

      /* Detached by alias: done when libvirt reports the removal. In this
       * bed the guest (online_movable memory, ACPI) gives DIMMs back. */
      changes = 0;
      t0 = g_get_monotonic_time ();
      vmem_domain_detach_device_async (live->domain, alias, VMEM_AFFECT_LIVE, NULL,
                                       async_slot_cb, &slot);
      await_slot (&slot, 30, "detach_device_async()");
      detach_s = seconds_since (t0);
      g_assert_cmpuint (slot.calls, ==, 1);
      if (!vmem_domain_detach_device_finish (live->domain, slot.result, &error))
        g_error ("detaching %s: %s (VMEM_ERROR %d) after %.2f s", alias, error->message,
                 error->code, detach_s);
      async_slot_clear (&slot);

      /* Gone from the model by the time the detach completes. */
      lacks.alias = alias;
      if (!model_lacks (&lacks))
        {
          gboolean later = run_until (model_lacks, &lacks, 10);

          g_error ("detach of %s completed but the device was still in the model (%s)", alias,
                   later ? "it left the model later" : "and still was 10 s later");
        }
      g_assert_null (vmem_domain_find_memory_device (live->domain, alias));
      g_assert_cmpuint (g_list_model_get_n_items (live->devices), ==, n_before);
      g_assert_cmpuint (changes, >=, 1);
      g_assert_cmpuint (plain_count (conn, xpath), ==, 0);

      guest_back_s = serial_wait_for ("VMEM-MEMTOTAL", total, 30);
      g_test_message ("DIMM %s detached in %.3f s, guest MemTotal back to %" G_GUINT64_FORMAT
                      " kB %.2f s later", alias, detach_s, total, guest_back_s);
    }

  g_clear_signal_handler (&handler, live->devices);
  virConnectClose (conn);
}

static void
expect_cancelled (VmemVirtioMem *device,
                  AsyncSlot     *slot,
                  const char    *what)
{
  g_autoptr(GError) error = NULL;

  await_slot (slot, 30, what);
  if (vmem_virtio_mem_resize_finish (device, slot->result, &error))
    g_error ("%s: the resize completed instead of being cancelled", what);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_error ("%s: expected G_IO_ERROR_CANCELLED, got %s (%s, %d)", what, error->message,
             g_quark_to_string (error->domain), error->code);
  /* One callback, and no other one later. */
  run_for (1.5);
  g_assert_cmpuint (slot->calls, ==, 1);
}

typedef struct
{
  VmemVirtioMem *device;
  guint64        size;
} RequestedIs;

static gboolean
requested_is (gpointer data)
{
  RequestedIs *r = data;

  return vmem_virtio_mem_get_requested_size (r->device) == r->size;
}

static void
on_requested_cancel (GObject    *object,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  RequestedIs *r = user_data;

  if (vmem_virtio_mem_get_requested_size (r->device) == r->size)
    g_cancellable_cancel (g_object_get_data (object, "test-cancellable"));
}

static void
test_cancel (Live          *live,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = NULL;
  AsyncSlot slot = { 0 };
  RequestedIs requested = { live->vmem, VMEM_SIZE };
  gulong handler;
  gint64 t0;

  /* At once. */
  cancellable = g_cancellable_new ();
  t0 = g_get_monotonic_time ();
  vmem_virtio_mem_resize_async (live->vmem, VMEM_SIZE, cancellable, async_slot_cb, &slot);
  g_cancellable_cancel (cancellable);
  expect_cancelled (live->vmem, &slot, "resize_async() cancelled at once");
  g_test_message ("cancelled at once: CANCELLED after %.3f s; 1.5 s later requested-size %"
                  G_GUINT64_FORMAT " MiB, current-size %" G_GUINT64_FORMAT " MiB",
                  (double) (slot.time_us - t0) / G_USEC_PER_SEC,
                  vmem_virtio_mem_get_requested_size (live->vmem) / MiB,
                  vmem_virtio_mem_get_current_size (live->vmem) / MiB);
  async_slot_clear (&slot);
  resize_plain (live->vmem, VMEM_START);

  /* In flight: the request is out (requested-size says so), the guest has
   * not plugged it all yet; cancelled from the notification itself. */
  g_clear_object (&cancellable);
  cancellable = g_cancellable_new ();
  g_object_set_data (G_OBJECT (live->vmem), "test-cancellable", cancellable);
  handler = g_signal_connect (live->vmem, "notify::requested-size",
                              G_CALLBACK (on_requested_cancel), &requested);
  t0 = g_get_monotonic_time ();
  vmem_virtio_mem_resize_async (live->vmem, VMEM_SIZE, cancellable, async_slot_cb, &slot);
  if (!run_until (requested_is, &requested, 30))
    g_error ("requested-size did not become 1 GiB within 30 s of resize_async()");
  g_clear_signal_handler (&handler, live->vmem);
  g_object_set_data (G_OBJECT (live->vmem), "test-cancellable", NULL);
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  expect_cancelled (live->vmem, &slot, "resize_async() cancelled in flight");
  g_test_message ("cancelled in flight once requested-size was 1 GiB: CANCELLED after %.3f s",
                  (double) (slot.time_us - t0) / G_USEC_PER_SEC);
  async_slot_clear (&slot);

  /* The device still works: back to the start, all the way. */
  resize_plain (live->vmem, VMEM_START);
  resize_plain (live->vmem, 256 * MiB);
  resize_plain (live->vmem, VMEM_START);
}

static void
test_two_nodes (Live          *live,
                gconstpointer  data)
{
  virConnectPtr conn = plain_open ();
  VmemVirtioMem *dev[2] = {
    live_virtio_mem (live, "virtiomem0"),
    live_virtio_mem (live, "virtiomem1"),
  };
  const char *alias[2] = { "virtiomem0", "virtiomem1" };
  const char *node_key[2] = { "VMEM-NODE-MEMTOTAL 0", "VMEM-NODE-MEMTOTAL 1" };
  const guint64 target[2] = { 512 * MiB, 768 * MiB };
  guint64 node_total[2];
  guint64 total = serial_now ("VMEM-MEMTOTAL");
  Resize r[2];
  SignalLog log;

  for (guint i = 0; i < 2; i++)
    {
      node_total[i] = serial_now (node_key[i]);
      g_test_message ("node %u: MemTotal %" G_GUINT64_FORMAT " kB", i, node_total[i]);
    }

  /* One after the other; the other device does not move. */
  for (guint i = 0; i < 2; i++)
    {
      guint other = 1 - i;
      guint64 other_size = i == 0 ? VMEM_START : target[0];
      g_autoptr(GPtrArray) other_signals = NULL;
      double done_s, node_s;

      signal_log_start (&log, live->domain);
      resize_start (&r[i], dev[i], target[i]);
      await_slot (&r[i].slot, 60, "resize_async()");
      resize_check (&r[i], &log, &done_s);
      resize_clear (&r[i]);

      node_s = serial_wait_for (node_key[i], node_total[i] + (target[i] - VMEM_START) / KiB, 30);
      g_test_message ("node %u MemTotal +%" G_GUINT64_FORMAT " kB %.2f s after the resize",
                      i, (target[i] - VMEM_START) / KiB, node_s);

      other_signals = signal_log_for (&log, alias[other]);
      g_assert_cmpuint (other_signals->len, ==, 0);
      g_assert_cmpuint (vmem_virtio_mem_get_requested_size (dev[other]), ==, other_size);
      g_assert_cmpuint (vmem_virtio_mem_get_current_size (dev[other]), ==, other_size);
      g_assert_cmpuint (plain_device_size (conn, alias[other], "requested"), ==, other_size);
      g_assert_cmpuint (plain_device_size (conn, alias[other], "current"), ==, other_size);
      g_assert_cmpuint (plain_device_size (conn, alias[i], "requested"), ==, target[i]);
      g_assert_cmpuint (plain_device_size (conn, alias[i], "current"), ==, target[i]);
      g_assert_cmpuint (serial_settled (node_key[other]), ==,
                        node_total[other] + (other_size - VMEM_START) / KiB);
      signal_log_stop (&log);
    }
  serial_wait_for ("VMEM-MEMTOTAL",
                   total + (target[0] + target[1] - 2 * VMEM_START) / KiB, 30);

  /* Both at once, back to the start: each its own way. */
  signal_log_start (&log, live->domain);
  resize_start (&r[0], dev[0], VMEM_START);
  resize_start (&r[1], dev[1], VMEM_START);
  await_slot (&r[0].slot, 60, "resize_async() of virtiomem0");
  await_slot (&r[1].slot, 60, "resize_async() of virtiomem1");
  for (guint i = 0; i < 2; i++)
    {
      resize_check (&r[i], &log, NULL);
      resize_clear (&r[i]);
    }
  signal_log_stop (&log);

  for (guint i = 0; i < 2; i++)
    serial_wait_for (node_key[i], node_total[i], 30);
  serial_wait_for ("VMEM-MEMTOTAL", total, 30);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpuint (plain_device_size (conn, alias[i], "requested"), ==, VMEM_START);
      g_assert_cmpuint (plain_device_size (conn, alias[i], "current"), ==, VMEM_START);
    }

  virConnectClose (conn);
}

static void
test_stall (Live          *live,
            gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reached = NULL;
  NotifyLog notify;
  AsyncSlot slot = { 0 };
  guint stall_timeout = 0;
  guint64 current = vmem_virtio_mem_get_current_size (live->vmem);
  gint64 t0;
  double elapsed;

  /* Nothing ever plugged in this guest. */
  g_assert_cmpuint (current, ==, 0);

  /* The property: one notification for one change. */
  g_object_get (live->vmem, "stall-timeout", &stall_timeout, NULL);
  g_assert_cmpuint (stall_timeout, ==, vmem_virtio_mem_get_stall_timeout (live->vmem));
  notify_log_start (&notify, live->vmem, "stall-timeout");
  g_object_set (live->vmem, "stall-timeout", 3000, NULL);
  g_object_set (live->vmem, "stall-timeout", 3000, NULL);
  g_assert_cmpuint (notify.values->len, ==, stall_timeout != 3000 ? 1 : 0);
  g_object_get (live->vmem, "stall-timeout", &stall_timeout, NULL);
  g_assert_cmpuint (stall_timeout, ==, 3000);
  g_assert_cmpuint (vmem_virtio_mem_get_stall_timeout (live->vmem), ==, 3000);
  notify_log_stop (&notify);

  t0 = g_get_monotonic_time ();
  vmem_virtio_mem_resize_async (live->vmem, 512 * MiB, NULL, async_slot_cb, &slot);
  await_slot (&slot, 30, "resize_async() in a guest without virtio_mem");
  elapsed = (double) (slot.time_us - t0) / G_USEC_PER_SEC;
  if (vmem_virtio_mem_resize_finish (live->vmem, slot.result, &error))
    g_error ("a resize to 512 MiB completed in a guest without virtio_mem");
  if (!g_error_matches (error, VMEM_ERROR, VMEM_ERROR_STALLED))
    g_error ("expected VMEM_ERROR_STALLED, got %s (%s, %d) after %.2f s", error->message,
             g_quark_to_string (error->domain), error->code, elapsed);
  g_test_message ("STALLED after %.3f s: %s", elapsed, error->message);

  /* After the stall timeout, not before, and not much later. */
  g_assert_cmpfloat (elapsed, >=, 3.0);
  g_assert_cmpfloat (elapsed, <=, 10.0 * time_scale ());
  g_assert_cmpuint (slot.calls, ==, 1);

  /* The device's setting held through the refreshes made while waiting. */
  if (vmem_virtio_mem_get_stall_timeout (live->vmem) != 3000)
    g_error ("stall-timeout is %u ms after the resize: the 3000 ms set before it were lost",
             vmem_virtio_mem_get_stall_timeout (live->vmem));

  /* The message says how far the guest got. */
  g_assert_cmpuint (vmem_virtio_mem_get_current_size (live->vmem), ==, current);
  reached = size_text (current);
  if (!test_message_names_size (error->message, current, reached))
    g_error ("the stall message does not name the size reached (%s): %s", reached, error->message);
  /* A time it gives is the device's stall-timeout. */
  if (strstr (error->message, " ms") != NULL && strstr (error->message, "3000 ms") == NULL)
    g_error ("the stall message names another time than the 3000 ms stall-timeout: %s",
             error->message);
  async_slot_clear (&slot);

  /* The device and the connection still work. */
  g_clear_error (&error);
  if (!vmem_virtio_mem_set_requested_size (live->vmem, VMEM_START, VMEM_AFFECT_LIVE, NULL, &error))
    g_error ("set_requested_size 128 MiB after the stall: %s", error->message);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (live->vmem), ==, VMEM_START);
  /* current-size is what the guest plugged, never what was asked for. */
  run_for (1.5);
  g_assert_cmpuint (vmem_virtio_mem_get_current_size (live->vmem), ==, 0);
  {
    virConnectPtr conn = plain_open ();

    g_assert_cmpuint (plain_device_size (conn, "virtiomem0", "requested"), ==, VMEM_START);
    g_assert_cmpuint (plain_device_size (conn, "virtiomem0", "current"), ==, 0);
    virConnectClose (conn);
  }

  /* A resize that waits (a long stall timeout) ends at once when
   * cancelled, and the device still works afterwards. */
  vmem_virtio_mem_set_stall_timeout (live->vmem, 60000);
  cancellable = g_cancellable_new ();
  vmem_virtio_mem_resize_async (live->vmem, 256 * MiB, cancellable, async_slot_cb, &slot);
  run_for (1.5);
  g_assert_null (slot.result);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (live->vmem), ==, 256 * MiB);
  t0 = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  await_slot (&slot, 5, "resize_async() cancelled while waiting for the guest");
  elapsed = (double) (slot.time_us - t0) / G_USEC_PER_SEC;
  if (vmem_virtio_mem_resize_finish (live->vmem, slot.result, &error))
    g_error ("a resize to 256 MiB completed in a guest without virtio_mem");
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_error ("expected G_IO_ERROR_CANCELLED, got %s (%s, %d)", error->message,
             g_quark_to_string (error->domain), error->code);
  g_test_message ("cancelled while waiting: CANCELLED %.3f s after g_cancellable_cancel()", elapsed);
  g_assert_cmpfloat (elapsed, <, 1.0 * time_scale ());
  run_for (1.0);
  g_assert_cmpuint (slot.calls, ==, 1);
  async_slot_clear (&slot);

  g_clear_error (&error);
  if (!vmem_virtio_mem_set_requested_size (live->vmem, VMEM_START, VMEM_AFFECT_LIVE, NULL, &error))
    g_error ("set_requested_size 128 MiB after the cancel: %s", error->message);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (live->vmem), ==, VMEM_START);
}

/* libvirtd's PID, as the bed recorded it: the daemon's own pid file,
 * checked against the bed's list (PID and start time) and the binary. */
static pid_t
bed_libvirtd_pid_in (const char *work)
{
  g_autofree char *pid_path = g_build_filename (work, "run", "libvirtd.pid", NULL);
  g_autofree char *pids_path = g_build_filename (work, "pids", NULL);
  g_autofree char *pid_text = NULL;
  g_autofree char *pids = NULL;
  g_autofree char *stat_path = NULL;
  g_autofree char *stat_text = NULL;
  g_autofree char *exe_path = NULL;
  GStatBuf exe_stat, bin_stat;
  g_autofree char *start = NULL;
  g_autofree char *recorded = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;
  pid_t pid;

  if (!g_file_get_contents (pid_path, &pid_text, NULL, NULL))
    g_error ("the bed has no %s", pid_path);
  pid = (pid_t) g_ascii_strtoll (g_strstrip (pid_text), NULL, 10);
  g_assert_cmpint (pid, >, 1);

  stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_assert_true (g_file_get_contents (stat_path, &stat_text, NULL, NULL));
  rest = strrchr (stat_text, ')');
  g_assert_nonnull (rest);
  fields = g_strsplit (rest + 2, " ", -1);
  g_assert_cmpuint (g_strv_length (fields), >, 19);
  start = g_strdup (fields[19]);

  g_assert_true (g_file_get_contents (pids_path, &pids, NULL, NULL));
  recorded = g_strdup_printf ("libvirtd %d %s\n", (int) pid, start);
  if (strstr (pids, recorded) == NULL)
    g_error ("PID %d (start %s) is not the libvirtd the bed recorded in %s:\n%s",
             (int) pid, start, pids_path, pids);

  /* The same file, by device and inode: the path /proc/PID/exe reads as
   * is the whole one from the machine's root when the bed runs in a chroot
   * and libvirtd in a mount namespace of its own. */
  exe_path = g_strdup_printf ("/proc/%d/exe", (int) pid);
  g_assert_cmpint (g_stat (exe_path, &exe_stat), ==, 0);
  g_assert_cmpint (g_stat (LIBVIRTD_BIN, &bin_stat), ==, 0);
  if (exe_stat.st_dev != bin_stat.st_dev || exe_stat.st_ino != bin_stat.st_ino)
    g_error ("PID %d does not run %s", (int) pid, LIBVIRTD_BIN);

  return pid;
}

static pid_t
bed_libvirtd_pid (void)
{
  return bed_libvirtd_pid_in (bed_env ("VMEM_BED_WORKDIR"));
}

static void
on_closed (VmemConnection  *connection,
           VmemCloseReason  reason,
           gpointer         user_data)
{
  GArray *reasons = user_data;
  int r = reason;

  assert_main_thread ("\"closed\"");
  g_array_append_val (reasons, r);
}

static gboolean
array_nonempty (gpointer data)
{
  return ((GArray *) data)->len > 0;
}

static void
expect_closed_error (gboolean    ok,
                     GError     *error,
                     const char *what)
{
  if (ok)
    g_error ("%s succeeded on a closed connection", what);
  if (!g_error_matches (error, VMEM_ERROR, VMEM_ERROR_CLOSED))
    g_error ("%s on a closed connection: expected VMEM_ERROR_CLOSED, got %s (%s, %d)", what,
             error->message, g_quark_to_string (error->domain), error->code);
}

/* A resize waiting on a guest that cannot plug ends with NOT_RUNNING when
 * the domain stops under it. The stopped domain then refuses a live
 * change, before anything is sent, and takes a change of its persistent
 * configuration, which its device object shows and libvirt keeps. */
static void
test_domain_stopped (Live          *live,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmemVirtioMem) stopped = NULL;
  g_autoptr(VmemDomainConfig) persistent = NULL;
  g_autoptr(VmemVirtioMem) kept = NULL;
  AsyncSlot slot = { 0 };
  RequestedIs requested = { live->vmem, 512 * MiB };
  virConnectPtr conn = plain_open ();
  virDomainPtr dom = virDomainLookupByName (conn, bed_env ("VMEM_BED_DOMAIN"));
  char *xml;
  gboolean ok;

  if (dom == NULL)
    g_error ("plain libvirt cannot find the bed's domain: %s", virGetLastErrorMessage ());

  /* Long enough that only the domain's end can end the resize. */
  vmem_virtio_mem_set_stall_timeout (live->vmem, 120000);
  vmem_virtio_mem_resize_async (live->vmem, 512 * MiB, NULL, async_slot_cb, &slot);
  if (!run_until (requested_is, &requested, 30))
    g_error ("requested-size did not become 512 MiB within 30 s of resize_async()");
  g_assert_null (slot.result);

  if (virDomainDestroy (dom) < 0)
    g_error ("plain libvirt cannot destroy the domain: %s", virGetLastErrorMessage ());

  await_slot (&slot, 30, "resize_async() when the domain stopped");
  ok = vmem_virtio_mem_resize_finish (live->vmem, slot.result, &error);
  g_test_message ("the resize ended: %s", ok ? "success" : error->message);
  g_assert_error (error, VMEM_ERROR, VMEM_ERROR_NOT_RUNNING);
  g_assert_false (ok);
  g_clear_error (&error);
  g_assert_cmpuint (slot.calls, ==, 1);
  async_slot_clear (&slot);
  g_assert_false (vmem_domain_is_active (live->domain));

  /* The stopped domain's device, as its persistent configuration has it. */
  g_assert_true (vmem_domain_refresh (live->domain, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_get_memory_devices (live->domain)), ==, 1);
  stopped = g_list_model_get_item (vmem_domain_get_memory_devices (live->domain), 0);
  g_assert_true (VMEM_IS_VIRTIO_MEM (stopped));
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (stopped), ==, 128 * MiB);

  g_assert_false (vmem_virtio_mem_set_requested_size (stopped, 256 * MiB, VMEM_AFFECT_LIVE,
                                                      NULL, &error));
  g_assert_error (error, VMEM_ERROR, VMEM_ERROR_NOT_RUNNING);
  g_clear_error (&error);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (stopped), ==, 128 * MiB);

  /* VMEM_AFFECT_CURRENT means the configuration of a stopped domain. */
  g_assert_true (vmem_virtio_mem_set_requested_size (stopped, 256 * MiB, VMEM_AFFECT_CURRENT,
                                                     NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (stopped), ==, 256 * MiB);

  xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  if (xml == NULL)
    g_error ("plain libvirt cannot read the persistent XML: %s", virGetLastErrorMessage ());
  persistent = vmem_domain_config_new_from_xml (xml, &error);
  free (xml);
  g_assert_no_error (error);
  kept = g_list_model_get_item (vmem_domain_config_get_memory_devices (persistent), 0);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (kept), ==, 256 * MiB);

  virDomainFree (dom);
  virConnectClose (conn);
}

static void
test_daemon_killed (Live          *live,
                    gconstpointer  data)
{
  g_autoptr(GArray) reasons = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GError) error = NULL;
  g_autoptr(VmemDomain) domain = NULL;
  g_autoptr(VmemMemoryDevice) attached = NULL;
  g_autoptr(VmemDimm) dimm = vmem_dimm_new ();
  g_autoptr(GEnumClass) reason_class = g_type_class_ref (VMEM_TYPE_CLOSE_REASON);
  SignalLog log;
  AsyncSlot slot = { 0 };
  RequestedIs requested = { live->vmem, VMEM_SIZE };
  gulong handler;
  pid_t pid = bed_libvirtd_pid ();
  gint64 t_kill;
  gboolean open = TRUE, ok;
  int reason;

  handler = g_signal_connect (live->connection, "closed", G_CALLBACK (on_closed), reasons);

  /* A resize under way: the request is out (requested-size says so), the
   * guest is plugging, and the daemon that would report it dies. */
  signal_log_start (&log, live->domain);
  vmem_virtio_mem_resize_async (live->vmem, VMEM_SIZE, NULL, async_slot_cb, &slot);
  if (!run_until (requested_is, &requested, 30))
    g_error ("requested-size did not become 1 GiB within 30 s of resize_async()");
  g_assert_null (slot.result);

  t_kill = g_get_monotonic_time ();
  if (kill (pid, SIGKILL) != 0)
    g_error ("kill %d: %s", (int) pid, g_strerror (errno));
  g_test_message ("killed libvirtd (PID %d) with SIGKILL, %u size signals so far",
                  (int) pid, log.signals->len);

  /* libvirt's keepalive gives up within 30 s even without an EOF. */
  if (!run_until (array_nonempty, reasons, 40))
    g_error ("no \"closed\" within 40 s of killing libvirtd");
  reason = g_array_index (reasons, int, 0);
  g_test_message ("\"closed\" (%s) %.3f s after the kill",
                  g_enum_get_value (reason_class, reason)->value_nick, seconds_since (t_kill));
  g_assert_true (reason == VMEM_CLOSE_REASON_EOF || reason == VMEM_CLOSE_REASON_KEEPALIVE ||
                 reason == VMEM_CLOSE_REASON_ERROR);

  await_slot (&slot, 40, "resize_async() when libvirtd died");
  ok = vmem_virtio_mem_resize_finish (live->vmem, slot.result, &error);
  g_test_message ("the resize ended %.3f s after the kill: %s", (double) (slot.time_us - t_kill) / G_USEC_PER_SEC,
                  ok ? "success" : error->message);
  expect_closed_error (ok, error, "the resize under way");
  g_clear_error (&error);

  /* Once. */
  run_for (1.5);
  g_assert_cmpuint (reasons->len, ==, 1);
  g_assert_cmpuint (slot.calls, ==, 1);
  async_slot_clear (&slot);
  g_assert_false (vmem_connection_is_open (live->connection));
  g_object_get (live->connection, "connected", &open, NULL);
  g_assert_false (open);

  /* Every call fails the same way now. */
  domain = vmem_connection_lookup_domain (live->connection, bed_env ("VMEM_BED_DOMAIN"), &error);
  expect_closed_error (domain != NULL, error, "lookup_domain");
  g_clear_error (&error);

  /* The model let its domains go. */
  g_assert_cmpuint (g_list_model_get_n_items (vmem_connection_get_domains (live->connection)), ==, 0);

  ok = vmem_domain_refresh (live->domain, NULL, &error);
  expect_closed_error (ok, error, "refresh");
  g_clear_error (&error);

  ok = vmem_virtio_mem_set_requested_size (live->vmem, 256 * MiB, VMEM_AFFECT_LIVE, NULL, &error);
  expect_closed_error (ok, error, "set_requested_size");
  g_clear_error (&error);

  vmem_virtio_mem_resize_async (live->vmem, VMEM_START, NULL, async_slot_cb, &slot);
  await_slot (&slot, 10, "resize_async() on a closed connection");
  ok = vmem_virtio_mem_resize_finish (live->vmem, slot.result, &error);
  expect_closed_error (ok, error, "resize_async");
  g_clear_error (&error);
  async_slot_clear (&slot);

  vmem_memory_device_set_size (VMEM_MEMORY_DEVICE (dimm), 128 * MiB);
  vmem_memory_device_set_node (VMEM_MEMORY_DEVICE (dimm), 0);
  attached = vmem_domain_attach_device (live->domain, VMEM_MEMORY_DEVICE (dimm), VMEM_AFFECT_LIVE,
                                        NULL, &error);
  expect_closed_error (attached != NULL, error, "attach_device");
  g_clear_error (&error);

  /* Closing a closed connection is harmless and says nothing more. */
  vmem_connection_close (live->connection);
  run_for (0.5);
  g_assert_cmpuint (reasons->len, ==, 1);

  g_clear_signal_handler (&handler, live->connection);
  signal_log_stop (&log);
}

/* ------------------------------------------------- the live object model */

static void
on_connection_size_changed (VmemConnection   *connection,
                            VmemDomain       *domain,
                            VmemMemoryDevice *device,
                            guint64           size,
                            gpointer          user_data)
{
  GArray *sizes = user_data;

  assert_main_thread ("the connection's memory-device-size-changed");
  g_assert_true (VMEM_IS_DOMAIN (domain));
  g_assert_true (vmem_memory_device_is_live (device));
  g_assert_true (vmem_domain_find_memory_device (domain, vmem_memory_device_get_alias (device)) == device);
  /* The device has the size by the time the signal comes. */
  g_assert_cmpuint (vmem_virtio_mem_get_current_size (VMEM_VIRTIO_MEM (device)), ==, size);
  g_array_append_val (sizes, size);
}

/* The most natural line of code: look the domain up, find the device, ask
 * for a size, keeping nothing but the device, on a connection of its own.
 * In Python that is
 * conn.lookup_domain (name).find_memory_device ("virtiomem0").resize_async (...),
 * where the domain is collected at once; here its last reference goes at
 * once. */
static void
test_held_by_connection (Live          *live,
                         gconstpointer  data)
{
  g_autoptr(VmemConnection) connection = vmem_connection_new (bed_env ("VMEM_BED_URI"));
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(VmemVirtioMem) device = NULL;
  g_autoptr(GError) error = NULL;
  guint64 total = serial_now ("VMEM-MEMTOTAL");
  VmemDomain *domain;
  gpointer weak = NULL;
  gulong handler;

  if (!vmem_connection_open (connection, NULL, &error))
    g_error ("cannot open %s: %s", bed_env ("VMEM_BED_URI"), error->message);
  handler = g_signal_connect (connection, "memory-device-size-changed",
                              G_CALLBACK (on_connection_size_changed), sizes);

  domain = vmem_connection_lookup_domain (connection, bed_env ("VMEM_BED_DOMAIN"), &error);
  g_assert_no_error (error);
  device = g_object_ref (VMEM_VIRTIO_MEM (vmem_domain_find_memory_device (domain, "virtiomem0")));
  weak = domain;
  g_object_add_weak_pointer (G_OBJECT (domain), &weak);
  g_object_unref (domain);
  run_for (0.2);

  /* The connection holds the domain: the device is live and reaches it. */
  g_assert_nonnull (weak);
  g_object_remove_weak_pointer (G_OBJECT (weak), &weak);
  g_assert_true (vmem_memory_device_is_live (VMEM_MEMORY_DEVICE (device)));
  resize_plain (device, 256 * MiB);
  serial_wait_for ("VMEM-MEMTOTAL", total + (256 * MiB - VMEM_START) / KiB, 30);

  /* Every size libvirt reported reached the connection's signal, the last
   * one the target. */
  g_assert_cmpuint (sizes->len, >=, 1);
  g_assert_cmpuint (g_array_index (sizes, guint64, sizes->len - 1), ==, 256 * MiB);
  g_test_message ("resized through a device whose domain nobody else held: %u size signals "
                  "on the connection", sizes->len);

  resize_plain (device, VMEM_START);
  serial_wait_for ("VMEM-MEMTOTAL", total, 30);
  g_clear_signal_handler (&handler, connection);
  vmem_connection_close (connection);
}

typedef struct
{
  GMutex  lock;
  GArray *events;     /* of PlainEvent */
} PlainEvents;

typedef struct
{
  int    event;
  gint64 time_us;
} PlainEvent;

static int
on_plain_lifecycle (virConnectPtr  conn,
                    virDomainPtr   dom,
                    int            event,
                    int            detail,
                    void          *opaque)
{
  PlainEvents *events = opaque;
  PlainEvent e = { event, g_get_monotonic_time () };

  if (g_str_equal (virDomainGetName (dom), "vmem-live-second"))
    {
      g_mutex_lock (&events->lock);
      g_array_append_val (events->events, e);
      g_mutex_unlock (&events->lock);
    }
  return 0;
}

/* When libvirt's own event for @event came, on the plain connection. */
static gint64
plain_event_time (PlainEvents *events,
                  int          event)
{
  gint64 time_us = 0;

  g_mutex_lock (&events->lock);
  for (guint i = 0; i < events->events->len; i++)
    if (g_array_index (events->events, PlainEvent, i).event == event)
      time_us = g_array_index (events->events, PlainEvent, i).time_us;
  g_mutex_unlock (&events->lock);

  return time_us;
}

typedef struct
{
  guint       n_changed;
  GSource    *changed_in;
  gint64      changed_us;
  GPtrArray  *added;
  GPtrArray  *removed;
  gint64      signal_us;
  gboolean    same_dispatch;
  GArray     *states;       /* VmemDomainState */
  gint64      state_us;
} ModelLog;

static void
on_model_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    data)
{
  ModelLog *log = data;

  assert_main_thread ("the domains' items-changed");
  log->n_changed++;
  log->changed_in = g_main_current_source ();
  log->changed_us = g_get_monotonic_time ();
}

static void
on_domain_added_or_removed (VmemConnection *connection,
                            VmemDomain     *domain,
                            gpointer        data)
{
  ModelLog *log = data;
  gboolean listed = g_list_store_find (G_LIST_STORE (vmem_connection_get_domains (connection)),
                                       domain, NULL);

  assert_main_thread ("domain-added or domain-removed");
  log->same_dispatch = log->changed_in != NULL && log->changed_in == g_main_current_source ();
  log->signal_us = g_get_monotonic_time ();
  g_ptr_array_add (listed ? log->added : log->removed, g_object_ref (domain));
}

static void
on_second_state (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    data)
{
  ModelLog *log = data;
  VmemDomainState state = vmem_domain_get_state (VMEM_DOMAIN (object));

  assert_main_thread ("notify::state");
  g_array_append_val (log->states, state);
  log->state_us = g_get_monotonic_time ();
}

typedef struct
{
  GPtrArray *array;
  guint      len;
} ArrayLen;

static gboolean
array_reached (gpointer data)
{
  ArrayLen *a = data;

  return a->array->len >= a->len;
}

static gboolean
state_is (gpointer data)
{
  ModelLog *log = data;

  return log->states->len > 0;
}

static gboolean
state_is_shutoff (gpointer data)
{
  ModelLog *log = data;

  return log->states->len > 0 &&
         g_array_index (log->states, VmemDomainState, log->states->len - 1) == VMEM_DOMAIN_STATE_SHUTOFF;
}

/* The bed's domain, as a second domain that can start: another name and
 * UUID, and a serial log of its own. */
static char *
second_domain_xml (virConnectPtr conn)
{
  virDomainPtr dom = virDomainLookupByName (conn, bed_env ("VMEM_BED_DOMAIN"));
  g_autofree char *serial = g_build_filename (bed_env ("VMEM_BED_WORKDIR"), "serial-second.log", NULL);
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  xmlChar *out = NULL;
  char *xml;
  int length = 0;

  g_assert_nonnull (dom);
  xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  g_assert_nonnull (xml);
  virDomainFree (dom);
  doc = test_xml_doc_new (xml);
  free (xml);

  nodes = test_xpath_nodes (doc, "/domain/name");
  g_assert_cmpuint (nodes->len, ==, 1);
  xmlNodeSetContent (nodes->pdata[0], BAD_CAST "vmem-live-second");
  g_clear_pointer (&nodes, g_ptr_array_unref);
  nodes = test_xpath_nodes (doc, "/domain/uuid");
  for (guint i = 0; i < nodes->len; i++)
    {
      xmlUnlinkNode (nodes->pdata[i]);
      xmlFreeNode (nodes->pdata[i]);
    }
  g_clear_pointer (&nodes, g_ptr_array_unref);
  nodes = test_xpath_nodes (doc, "/domain/devices/*[self::serial or self::console]/source");
  for (guint i = 0; i < nodes->len; i++)
    xmlSetProp (nodes->pdata[i], BAD_CAST "path", BAD_CAST serial);

  xmlDocDumpMemory (doc, &out, &length);
  xml = g_strndup ((const char *) out, length);
  xmlFree (out);
  return xml;
}

/* Defining, starting, destroying and undefining a second domain beside the
 * library. */
static void
test_second_domain (Live          *live,
                    gconstpointer  data)
{
  virConnectPtr conn = plain_open ();
  GListModel *domains = vmem_connection_get_domains (live->connection);
  guint n_before = g_list_model_get_n_items (domains);
  PlainEvents events = { { 0 }, g_array_new (FALSE, FALSE, sizeof (PlainEvent)) };
  ModelLog log = { 0, NULL, 0, g_ptr_array_new_with_free_func (g_object_unref),
                   g_ptr_array_new_with_free_func (g_object_unref), 0, FALSE,
                   g_array_new (FALSE, FALSE, sizeof (VmemDomainState)), 0 };
  g_autofree char *xml = second_domain_xml (conn);
  ArrayLen added = { log.added, 1 }, removed = { log.removed, 1 };
  VmemDomain *domain;
  virDomainPtr dom;
  gulong handlers[3];
  gulong state_handler;
  int callback;
  double define_ms, start_ms, destroy_ms, undefine_ms;

  g_mutex_init (&events.lock);
  callback = virConnectDomainEventRegisterAny (conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                               VIR_DOMAIN_EVENT_CALLBACK (on_plain_lifecycle),
                                               &events, NULL);
  g_assert_cmpint (callback, >=, 0);
  handlers[0] = g_signal_connect (domains, "items-changed", G_CALLBACK (on_model_changed), &log);
  handlers[1] = g_signal_connect (live->connection, "domain-added",
                                  G_CALLBACK (on_domain_added_or_removed), &log);
  handlers[2] = g_signal_connect (live->connection, "domain-removed",
                                  G_CALLBACK (on_domain_added_or_removed), &log);

  /* Defined: in the model, read whole. */
  dom = virDomainDefineXML (conn, xml);
  if (dom == NULL)
    g_error ("cannot define the second domain: %s", virGetLastErrorMessage ());
  if (!run_until (array_reached, &added, 10))
    g_error ("no domain-added within 10 s of defining a domain");
  g_assert_true (log.same_dispatch);
  g_assert_cmpuint (log.n_changed, ==, 1);
  domain = log.added->pdata[0];
  g_assert_cmpstr (vmem_domain_get_name (domain), ==, "vmem-live-second");
  g_assert_cmpint (vmem_domain_get_state (domain), ==, VMEM_DOMAIN_STATE_SHUTOFF);
  g_assert_cmpuint (g_list_model_get_n_items (domains), ==, n_before + 1);
  g_assert_cmpuint (vmem_memory_usage_get_virtio_mem_maximum (vmem_domain_get_memory (domain)), ==, VMEM_SIZE);
  define_ms = (log.signal_us - plain_event_time (&events, VIR_DOMAIN_EVENT_DEFINED)) / 1000.0;

  /* Started and destroyed: the same object, its state following. */
  state_handler = g_signal_connect (domain, "notify::state", G_CALLBACK (on_second_state), &log);
  if (virDomainCreate (dom) < 0)
    g_error ("cannot start the second domain: %s", virGetLastErrorMessage ());
  if (!run_until (state_is, &log, 30))
    g_error ("the second domain's state did not follow its start");
  g_assert_cmpint (g_array_index (log.states, VmemDomainState, 0), ==, VMEM_DOMAIN_STATE_RUNNING);
  start_ms = (log.state_us - plain_event_time (&events, VIR_DOMAIN_EVENT_STARTED)) / 1000.0;
  /* Running, it has its live devices, aliases and all. */
  g_assert_nonnull (vmem_domain_find_memory_device (domain, "virtiomem0"));
  g_array_set_size (log.states, 0);

  /* libvirt may report the domain shutting down on its way to shut off:
   * the states seen end with SHUTOFF, and SHUTDOWN is the only one before. */
  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  if (!run_until (state_is_shutoff, &log, 30))
    g_error ("the second domain's state did not follow its destruction");
  for (guint i = 0; i + 1 < log.states->len; i++)
    g_assert_cmpint (g_array_index (log.states, VmemDomainState, i), ==, VMEM_DOMAIN_STATE_SHUTDOWN);
  destroy_ms = (log.state_us - plain_event_time (&events, VIR_DOMAIN_EVENT_STOPPED)) / 1000.0;
  g_assert_cmpuint (log.n_changed, ==, 1);
  g_assert_cmpuint (log.removed->len, ==, 0);
  g_assert_true (vmem_connection_find_domain (live->connection, "vmem-live-second") == domain);
  g_clear_signal_handler (&state_handler, domain);

  /* Undefined: gone from the model. */
  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  if (!run_until (array_reached, &removed, 10))
    g_error ("no domain-removed within 10 s of undefining a domain");
  g_assert_true (log.same_dispatch);
  g_assert_true (log.removed->pdata[0] == domain);
  g_assert_cmpuint (log.n_changed, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (domains), ==, n_before);
  g_assert_null (vmem_connection_find_domain (live->connection, "vmem-live-second"));
  undefine_ms = (log.signal_us - plain_event_time (&events, VIR_DOMAIN_EVENT_UNDEFINED)) / 1000.0;

  g_test_message ("from libvirt's event to the library's signal: defined %.2f ms, started "
                  "%.2f ms, destroyed %.2f ms, undefined %.2f ms (each a domain read in between)",
                  define_ms, start_ms, destroy_ms, undefine_ms);
  /* How long, the benchmarks judge (bench/bed: lifecycle event to
   * items-changed); this case only says. */

  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    g_signal_handler_disconnect (i == 0 ? (gpointer) domains : (gpointer) live->connection, handlers[i]);
  virConnectDomainEventDeregisterAny (conn, callback);
  virDomainFree (dom);
  virConnectClose (conn);
  g_ptr_array_unref (log.added);
  g_ptr_array_unref (log.removed);
  g_array_unref (log.states);
  g_array_unref (events.events);
  g_mutex_clear (&events.lock);
}

/* <target>/<field> of every device of @model on @node in the live XML, in
 * bytes, summed. */
static guint64
plain_sum (virConnectPtr  conn,
           const char    *model,
           int            node,
           const char    *field)
{
  g_autoptr(xmlDoc) doc = plain_live_doc (conn);
  g_autofree char *expr = g_strdup_printf ("//devices/memory[@model='%s'][target/node='%d']/target/%s",
                                           model, node, field);
  g_autoptr(GPtrArray) nodes = test_xpath_nodes (doc, expr);
  guint64 sum = 0;

  for (guint i = 0; i < nodes->len; i++)
    {
      xmlChar *text = xmlNodeGetContent (nodes->pdata[i]);
      xmlChar *unit = xmlGetProp (nodes->pdata[i], BAD_CAST "unit");

      g_assert_cmpstr ((const char *) unit, ==, "KiB");
      sum += g_ascii_strtoull ((const char *) text, NULL, 10) * KiB;
      xmlFree (text);
      xmlFree (unit);
    }

  return sum;
}

/* Each node's figures against libvirt's live XML and the guest: the guest
 * has its base plus the DIMMs and the virtio-mem memory plugged. */
static void
check_node_figures (Live          *live,
                    virConnectPtr  conn)
{
  GListModel *nodes = vmem_domain_get_numa_nodes (live->domain);
  g_autoptr(xmlDoc) doc = plain_live_doc (conn);
  guint n = g_list_model_get_n_items (nodes);

  g_assert_cmpuint (n, ==, test_xpath_count (doc, "/domain/cpu/numa/cell"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VmemMemoryUsage) usage = g_list_model_get_item (nodes, i);
      int node = vmem_memory_usage_get_node (usage);
      g_autofree char *cell_expr = g_strdup_printf ("/domain/cpu/numa/cell[@id='%d']/@memory", node);
      g_autofree char *cell_memory = test_xpath_string (doc, cell_expr);
      g_autofree char *base_key = g_strdup_printf ("VMEM-NODE-BASE-MEMTOTAL %d", node);
      g_autofree char *total_key = g_strdup_printf ("VMEM-NODE-MEMTOTAL %d", node);
      guint64 plugged = vmem_memory_usage_get_plugged (usage, VMEM_MEMORY_MODEL_VIRTIO_MEM);
      guint64 dimm = vmem_memory_usage_get_plugged (usage, VMEM_MEMORY_MODEL_DIMM);

      g_assert_nonnull (cell_memory);
      g_assert_cmpuint (vmem_memory_usage_get_base (usage), ==, g_ascii_strtoull (cell_memory, NULL, 10) * KiB);
      g_assert_cmpuint (plugged, ==, plain_sum (conn, "virtio-mem", node, "current"));
      g_assert_cmpuint (vmem_memory_usage_get_virtio_mem_requested (usage), ==,
                        plain_sum (conn, "virtio-mem", node, "requested"));
      g_assert_cmpuint (vmem_memory_usage_get_virtio_mem_maximum (usage), ==,
                        plain_sum (conn, "virtio-mem", node, "size"));
      g_assert_cmpuint (dimm, ==, plain_sum (conn, "dimm", node, "size"));
      g_assert_cmpuint (vmem_memory_usage_get_total (usage), ==,
                        vmem_memory_usage_get_base (usage) + dimm + plugged);
      /* The guest's own account: what it booted with, plus what was
       * plugged into the node since. It reports the node after the whole
       * guest: wait for it, bounded. */
      serial_wait_for (total_key, serial_now (base_key) + (plugged + dimm) / KiB, 30);
      g_test_message ("node %d: base %" G_GUINT64_FORMAT " MiB, virtio-mem %" G_GUINT64_FORMAT
                      " MiB plugged; the guest has %" G_GUINT64_FORMAT " kB more than at boot",
                      node, vmem_memory_usage_get_base (usage) / MiB, plugged / MiB,
                      serial_now (total_key) - serial_now (base_key));
    }
}

static void
test_figures (Live          *live,
              gconstpointer  data)
{
  virConnectPtr conn = plain_open ();
  VmemMemoryUsage *memory = vmem_domain_get_memory (live->domain);
  g_autoptr(xmlDoc) doc = plain_live_doc (conn);
  g_autofree char *max_memory = test_xpath_string (doc, "/domain/maxMemory");
  g_autofree char *slots = test_xpath_string (doc, "/domain/maxMemory/@slots");
  NotifyLog plugged, requested;
  guint64 total = serial_now ("VMEM-MEMTOTAL");
  unsigned long version = 0;
  guint n_slotted = 0;

  /* The domain's, against its XML: maxMemory in KiB, and 16 slots. */
  g_assert_cmpuint (vmem_domain_get_max_memory (live->domain), ==, g_ascii_strtoull (max_memory, NULL, 10) * KiB);
  g_assert_cmpuint (vmem_domain_get_memory_slots (live->domain), ==, g_ascii_strtoull (slots, NULL, 10));
  /* The daemon's libvirt, whose rules the figures follow: every memory
   * device takes a slot up to libvirt 9.4, only dimm and nvdimm since. */
  g_assert_cmpint (virConnectGetLibVersion (conn, &version), ==, 0);
  g_assert_cmpuint (vmem_connection_get_libvirt_version (live->connection), ==, version);
  for (guint i = 0; i < g_list_model_get_n_items (live->devices); i++)
    {
      g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (live->devices, i);
      VmemMemoryModel model = vmem_memory_device_get_model (device);

      if (version < 9005000 || model == VMEM_MEMORY_MODEL_DIMM || model == VMEM_MEMORY_MODEL_NVDIMM)
        n_slotted++;
    }
  g_assert_cmpuint (vmem_domain_get_free_memory_slots (live->domain), ==,
                    vmem_domain_get_memory_slots (live->domain) - n_slotted);
  g_assert_cmpuint (vmem_domain_get_hotplug_headroom (live->domain), ==,
                    vmem_domain_get_max_memory (live->domain) - vmem_memory_usage_get_base (memory) -
                    vmem_memory_usage_get_virtio_mem_maximum (memory));
  g_assert_cmpuint (vmem_memory_usage_get_total (memory) / KiB, ==,
                    serial_now ("VMEM-MEMTOTAL") - serial_now ("VMEM-BASE-MEMTOTAL") +
                    vmem_memory_usage_get_base (memory) / KiB);
  check_node_figures (live, conn);

  /* A resize moves them, with notifications, and they still agree. */
  notify_log_start (&plugged, memory, "virtio-mem");
  notify_log_start (&requested, memory, "virtio-mem-requested");
  resize_plain (live->vmem, 256 * MiB);
  serial_wait_for ("VMEM-MEMTOTAL", total + (256 * MiB - VMEM_START) / KiB, 30);
  g_assert_cmpuint (requested.values->len, ==, 1);
  g_assert_cmpuint (g_array_index (requested.values, guint64, 0), ==, 256 * MiB);
  g_assert_cmpuint (plugged.values->len, >=, 1);
  g_assert_cmpuint (g_array_index (plugged.values, guint64, plugged.values->len - 1), ==, 256 * MiB);
  check_node_figures (live, conn);

  resize_plain (live->vmem, VMEM_START);
  serial_wait_for ("VMEM-MEMTOTAL", total, 30);
  check_node_figures (live, conn);
  notify_log_stop (&plugged);
  notify_log_stop (&requested);
  virConnectClose (conn);
}

/* ------------------------------------------------------------ several hosts */

/* Two beds, A and B, each a daemon with its own guest that also listens on
 * a loopback address of its own over TCP, TLS and SSH (vmem-bed run
 * --remote --name A -- vmem-bed run --remote --name B -- test-live --bed
 * hosts). One process opens A over TCP and B over both TLS and SSH, at
 * once, on the one main context. */
typedef struct
{
  const char     *name;         /* the bed: "A" or "B" */
  VmemConnection *connection;
  VmemDomain     *domain;
  VmemVirtioMem  *vmem;
  GArray         *sizes;        /* guint64: the connection's size signals */
  gulong          handler;
} Host;

typedef struct
{
  Host a_tcp;
  Host b_tls;
  Host b_ssh;
} Hosts;

/* VMEM_BED_<HOST>_<WHAT>, which the named bed exported. */
static const char *
host_env (const char *host,
          const char *what)
{
  g_autofree char *name = g_strdup_printf ("VMEM_BED_%s_%s", host, what);

  return bed_env (name);
}

static void
on_host_size_changed (VmemConnection   *connection,
                      VmemDomain       *domain,
                      VmemMemoryDevice *device,
                      guint64           size,
                      gpointer          user_data)
{
  Host *host = user_data;
  g_autoptr(VmemDomain) device_domain = NULL;

  assert_main_thread ("\"memory-device-size-changed\" of a remote host");
  /* The right host's domain: both beds name theirs alike, their UUIDs
   * differ. */
  g_assert_true (connection == host->connection);
  g_assert_true (domain == host->domain);
  g_assert_true (vmem_domain_get_connection (domain) == connection);
  g_object_get (device, "domain", &device_domain, NULL);
  g_assert_true (device_domain == domain);
  g_array_append_val (host->sizes, size);
}

/* The UUID of the bed's domain, as plain libvirt on its local socket says. */
static char *
host_plain_uuid (const char *host)
{
  virConnectPtr conn = virConnectOpen (host_env (host, "URI"));
  virDomainPtr dom;
  char uuid[VIR_UUID_STRING_BUFLEN];

  if (conn == NULL)
    g_error ("plain libvirt cannot open bed %s: %s", host, virGetLastErrorMessage ());
  dom = virDomainLookupByName (conn, host_env (host, "DOMAIN"));
  g_assert_nonnull (dom);
  g_assert_cmpint (virDomainGetUUIDString (dom, uuid), ==, 0);
  virDomainFree (dom);
  virConnectClose (conn);

  return g_strdup (uuid);
}

/* Takes the host's domain and device from its connection's live model. */
static void
host_adopt (Host *host)
{
  g_autofree char *uuid = host_plain_uuid (host->name);
  VmemMemoryDevice *device;

  g_assert_true (vmem_connection_is_open (host->connection));
  g_assert_cmpuint (g_list_model_get_n_items (vmem_connection_get_domains (host->connection)), ==, 1);
  host->domain = vmem_connection_find_domain (host->connection, host_env (host->name, "DOMAIN"));
  g_assert_nonnull (host->domain);
  g_object_ref (host->domain);
  g_assert_cmpstr (vmem_domain_get_uuid (host->domain), ==, uuid);
  device = vmem_domain_find_memory_device (host->domain, "virtiomem0");
  g_assert_true (VMEM_IS_VIRTIO_MEM (device));
  host->vmem = g_object_ref (VMEM_VIRTIO_MEM (device));
  host->sizes = g_array_new (FALSE, FALSE, sizeof (guint64));
  host->handler = g_signal_connect (host->connection, "memory-device-size-changed",
                                    G_CALLBACK (on_host_size_changed), host);
}

static void
host_clear (Host *host)
{
  if (host->handler != 0)
    g_signal_handler_disconnect (host->connection, host->handler);
  if (host->connection != NULL)
    vmem_connection_close (host->connection);
  g_clear_object (&host->vmem);
  g_clear_object (&host->domain);
  g_clear_object (&host->connection);
  g_clear_pointer (&host->sizes, g_array_unref);
}

static void
hosts_set_up (Hosts         *h,
              gconstpointer  data)
{
  struct { Host *host; const char *name; const char *uri; } opens[] = {
    { &h->a_tcp, "A", "TCP_URI" },
    { &h->b_tls, "B", "TLS_URI" },
    { &h->b_ssh, "B", "SSH_URI" },
  };
  AsyncSlot slots[G_N_ELEMENTS (opens)] = { 0 };
  gint64 t0;

  bed_settle_in (host_env ("A", "WORKDIR"));
  bed_settle_in (host_env ("B", "WORKDIR"));

  /* All three at once. */
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < G_N_ELEMENTS (opens); i++)
    {
      opens[i].host->name = opens[i].name;
      opens[i].host->connection = vmem_connection_new (host_env (opens[i].name, opens[i].uri));
      vmem_connection_open_async (opens[i].host->connection, NULL, async_slot_cb, &slots[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (opens); i++)
    {
      g_autoptr(GError) error = NULL;

      await_slot (&slots[i], 60, "vmem_connection_open_async() of a remote host");
      if (!vmem_connection_open_finish (opens[i].host->connection, slots[i].result, &error))
        g_error ("cannot open %s: %s", vmem_connection_get_uri (opens[i].host->connection),
                 error->message);
      g_test_message ("%s of bed %s open %.3f s after the start",
                      opens[i].uri, opens[i].name, (double) (slots[i].time_us - t0) / G_USEC_PER_SEC);
      async_slot_clear (&slots[i]);
      host_adopt (opens[i].host);
    }
}

static void
hosts_tear_down (Hosts         *h,
                 gconstpointer  data)
{
  host_clear (&h->a_tcp);
  host_clear (&h->b_tls);
  host_clear (&h->b_ssh);
  serial_log_path = NULL;
}

/* The guest's MemTotal in bed @host, as it last reported it. */
static guint64
host_memtotal (const char *host)
{
  serial_log_path = host_env (host, "SERIAL_LOG");
  return serial_now ("VMEM-MEMTOTAL");
}

static void
host_wait_memtotal (const char *host,
                    guint64     want_kb)
{
  double seconds;

  serial_log_path = host_env (host, "SERIAL_LOG");
  seconds = serial_wait_for ("VMEM-MEMTOTAL", want_kb, 60);
  g_test_message ("bed %s: the guest has %" G_GUINT64_FORMAT " kB after %.1f s", host, want_kb, seconds);
}

/* Resizes the virtio-mem devices of several hosts at once, and waits for
 * each to finish. */
static void
hosts_resize (Host          **hosts,
              const guint64  *sizes,
              guint           n)
{
  AsyncSlot slots[4] = { 0 };

  g_assert_cmpuint (n, <=, G_N_ELEMENTS (slots));
  for (guint i = 0; i < n; i++)
    vmem_virtio_mem_resize_async (hosts[i]->vmem, sizes[i], NULL, async_slot_cb, &slots[i]);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;

      await_slot (&slots[i], 60, "a resize on a remote host");
      if (!vmem_virtio_mem_resize_finish (hosts[i]->vmem, slots[i].result, &error))
        g_error ("the resize on bed %s failed: %s", hosts[i]->name, error->message);
      g_assert_cmpuint (slots[i].calls, ==, 1);
      g_assert_cmpuint (vmem_virtio_mem_get_current_size (hosts[i]->vmem), ==, sizes[i]);
      async_slot_clear (&slots[i]);
    }
}

static guint64
last_size (GArray *sizes)
{
  g_assert_cmpuint (sizes->len, >, 0);
  return g_array_index (sizes, guint64, sizes->len - 1);
}

static void
test_hosts_list (Hosts         *h,
                 gconstpointer  data)
{
  Host *all[] = { &h->a_tcp, &h->b_tls, &h->b_ssh };

  /* Two hosts, two domains of the same name: the UUIDs tell them apart,
   * and the two links to B give two objects of one domain. */
  g_assert_cmpstr (vmem_domain_get_name (h->a_tcp.domain), ==, vmem_domain_get_name (h->b_tls.domain));
  g_assert_cmpstr (vmem_domain_get_uuid (h->a_tcp.domain), !=, vmem_domain_get_uuid (h->b_tls.domain));
  g_assert_cmpstr (vmem_domain_get_uuid (h->b_tls.domain), ==, vmem_domain_get_uuid (h->b_ssh.domain));
  g_assert_true (h->b_tls.domain != h->b_ssh.domain);

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_assert_cmpint (vmem_domain_get_state (all[i]->domain), ==, VMEM_DOMAIN_STATE_RUNNING);
      g_assert_cmpuint (vmem_virtio_mem_get_requested_size (all[i]->vmem), ==, VMEM_START);
      g_assert_cmpuint (vmem_virtio_mem_get_current_size (all[i]->vmem), ==, VMEM_START);
      g_assert_cmpuint (vmem_memory_device_get_size (VMEM_MEMORY_DEVICE (all[i]->vmem)), ==, VMEM_SIZE);
    }
}

static void
test_hosts_resize_both (Hosts         *h,
                        gconstpointer  data)
{
  Host *both[] = { &h->a_tcp, &h->b_tls };
  const guint64 grow[] = { 256 * MiB, 384 * MiB };
  const guint64 back[] = { VMEM_START, VMEM_START };
  guint64 total_a = host_memtotal ("A");
  guint64 total_b = host_memtotal ("B");
  CurrentIs ssh_current = { h->b_ssh.vmem, 384 * MiB };

  /* A over TCP and B over TLS, at once; each guest follows its own. */
  hosts_resize (both, grow, G_N_ELEMENTS (both));
  host_wait_memtotal ("A", total_a + (256 * MiB - VMEM_START) / KiB);
  host_wait_memtotal ("B", total_b + (384 * MiB - VMEM_START) / KiB);

  /* Each connection heard its own host, on the main context (see
   * on_host_size_changed()); the SSH link to B heard B's change too. */
  g_assert_cmpuint (last_size (h->a_tcp.sizes), ==, 256 * MiB);
  g_assert_cmpuint (last_size (h->b_tls.sizes), ==, 384 * MiB);
  if (!run_until (current_is, &ssh_current, 30))
    g_error ("the SSH connection's device did not follow B's resize");
  g_assert_cmpuint (last_size (h->b_ssh.sizes), ==, 384 * MiB);
  for (guint i = 0; i < h->a_tcp.sizes->len; i++)
    g_assert_cmpuint (g_array_index (h->a_tcp.sizes, guint64, i), <=, 256 * MiB);
  g_test_message ("size signals: A over TCP %u, B over TLS %u, B over SSH %u",
                  h->a_tcp.sizes->len, h->b_tls.sizes->len, h->b_ssh.sizes->len);

  hosts_resize (both, back, G_N_ELEMENTS (both));
  host_wait_memtotal ("A", total_a);
  host_wait_memtotal ("B", total_b);
}

/* A listener that accepts connections (the kernel does, from its backlog)
 * and never says a word. */
static GSocket *
silent_listener (guint16 *out_port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any_port, TRUE, &error));
  g_assert_true (g_socket_listen (socket, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *out_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  return socket;
}

static void
expect_open_error (const char *uri,
                   guint       timeout,
                   GQuark      domain,
                   int         code,
                   const char *what)
{
  g_autoptr(VmemConnection) connection = vmem_connection_new (uri);
  g_autoptr(GError) error = NULL;
  Watch previous = watchdog_arm (timeout + 30, what);
  gint64 t0 = g_get_monotonic_time ();

  vmem_connection_set_open_timeout (connection, timeout);
  if (vmem_connection_open (connection, NULL, &error))
    g_error ("%s: the open succeeded", what);
  watchdog_restore (previous);
  g_test_message ("%s: %.3f s, %s (%s %d)", what, seconds_since (t0), error->message,
                  g_quark_to_string (error->domain), error->code);
  g_assert_error (error, domain, code);
  g_assert_false (vmem_connection_is_open (connection));
  g_assert_cmpuint (g_list_model_get_n_items (vmem_connection_get_domains (connection)), ==, 0);
}

static gboolean
cancel_now (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_hosts_errors (Hosts         *h,
                   gconstpointer  data)
{
  g_autofree char *refused = g_strdup_printf ("qemu+tcp://%s:1/system", host_env ("A", "ADDRESS"));
  g_autofree char *silent_uri = NULL;
  g_autoptr(GSocket) silent = NULL;
  g_autoptr(VmemConnection) connection = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  AsyncSlot slot = { 0 };
  guint16 port;
  gint64 t0;

  /* Each failure its own code, from the library's domain. */
  expect_open_error (host_env ("B", "TLS_WRONG_CA_URI"), 30, VMEM_ERROR, VMEM_ERROR_CERTIFICATE,
                     "TLS with a client that trusts another CA");
  expect_open_error (host_env ("B", "SSH_UNKNOWN_KEY_URI"), 30, VMEM_ERROR, VMEM_ERROR_HOST_KEY,
                     "SSH with an unknown host key");
  expect_open_error (refused, 30, VMEM_ERROR, VMEM_ERROR_UNREACHABLE, "TCP to a refused port");

  /* A daemon that never answers: the open ends at its timeout, the sync
   * one and the async one, and on the cancellable. */
  silent = silent_listener (&port);
  silent_uri = g_strdup_printf ("qemu+tcp://127.0.0.1:%u/system", port);
  expect_open_error (silent_uri, 1, VMEM_ERROR, VMEM_ERROR_TIMED_OUT,
                     "TCP to a listener that never speaks, sync, 1 s timeout");

  connection = vmem_connection_new (silent_uri);
  vmem_connection_set_open_timeout (connection, 2);
  t0 = g_get_monotonic_time ();
  vmem_connection_open_async (connection, NULL, async_slot_cb, &slot);
  await_slot (&slot, 30, "an open with a 2 s timeout");
  g_assert_false (vmem_connection_open_finish (connection, slot.result, &error));
  g_test_message ("async, 2 s timeout: %.3f s, %s", (double) (slot.time_us - t0) / G_USEC_PER_SEC,
                  error->message);
  g_assert_error (error, VMEM_ERROR, VMEM_ERROR_TIMED_OUT);
  g_clear_error (&error);
  async_slot_clear (&slot);

  vmem_connection_set_open_timeout (connection, 0);
  t0 = g_get_monotonic_time ();
  vmem_connection_open_async (connection, cancellable, async_slot_cb, &slot);
  g_timeout_add (300, cancel_now, cancellable);
  await_slot (&slot, 30, "an open cancelled after 0.3 s");
  g_assert_false (vmem_connection_open_finish (connection, slot.result, &error));
  g_test_message ("async, no timeout, cancelled at 0.3 s: %.3f s, %s",
                  (double) (slot.time_us - t0) / G_USEC_PER_SEC, error->message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (vmem_connection_is_open (connection));
  async_slot_clear (&slot);

  /* The other hosts never noticed. */
  g_assert_true (vmem_connection_is_open (h->a_tcp.connection));
  g_assert_true (vmem_connection_is_open (h->b_tls.connection));
  g_assert_true (vmem_connection_is_open (h->b_ssh.connection));

  /* libvirt's threads waiting on the listener get their end of file. */
  g_socket_close (silent, NULL);
}

static void
test_hosts_freeze (Hosts         *h,
                   gconstpointer  data)
{
  g_autoptr(VmemConnection) frozen = vmem_connection_new (host_env ("B", "TLS_URI"));
  g_autoptr(GArray) reasons = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GError) error = NULL;
  g_autoptr(VmemDomain) held = NULL;
  g_autoptr(VmemVirtioMem) held_vmem = NULL;
  Host *a[] = { &h->a_tcp };
  const guint64 grow[] = { 256 * MiB };
  const guint64 back[] = { VMEM_START };
  guint interval = 1, count = 2;
  guint64 total_a = host_memtotal ("A");
  guint64 total_b = host_memtotal ("B");
  pid_t pid = bed_libvirtd_pid_in (host_env ("B", "WORKDIR"));
  double closed_after;
  gint64 t0;

  vmem_connection_set_keepalive (frozen, interval, count);
  g_assert_cmpuint (vmem_connection_get_keepalive_interval (frozen), ==, interval);
  g_assert_cmpuint (vmem_connection_get_keepalive_count (frozen), ==, count);
  if (!vmem_connection_open (frozen, NULL, &error))
    g_error ("cannot open %s: %s", vmem_connection_get_uri (frozen), error->message);
  held = g_object_ref (vmem_connection_find_domain (frozen, host_env ("B", "DOMAIN")));
  held_vmem = g_object_ref (VMEM_VIRTIO_MEM (vmem_domain_find_memory_device (held, "virtiomem0")));
  g_signal_connect (frozen, "closed", G_CALLBACK (on_closed), reasons);

  /* B's daemon freezes: keepalive gives up on it, A goes on. */
  if (kill (pid, SIGSTOP) != 0)
    g_error ("kill -STOP %d: %s", (int) pid, g_strerror (errno));
  t0 = g_get_monotonic_time ();
  if (!run_until (array_nonempty, reasons, 30))
    {
      kill (pid, SIGCONT);
      g_error ("no \"closed\" within 30 s of freezing B's daemon");
    }
  closed_after = seconds_since (t0);
  g_test_message ("B frozen: \"closed\" after %.3f s, with keepalive every %u s, %u unanswered",
                  closed_after, interval, count);
  g_assert_cmpint (g_array_index (reasons, int, 0), ==, VMEM_CLOSE_REASON_KEEPALIVE);
  /* libvirt closes once @count probes went unanswered, the last one
   * @interval after it was sent. */
  g_assert_cmpfloat (closed_after, <=, interval * (count + 1) + 1.0);
  g_assert_false (vmem_connection_is_open (frozen));

  hosts_resize (a, grow, 1);
  host_wait_memtotal ("A", total_a + (256 * MiB - VMEM_START) / KiB);
  g_assert_cmpuint (reasons->len, ==, 1);

  /* B thaws; reopened, the connection gives the same domain and device
   * objects, live again. */
  if (kill (pid, SIGCONT) != 0)
    g_error ("kill -CONT %d: %s", (int) pid, g_strerror (errno));
  if (!vmem_connection_open (frozen, NULL, &error))
    g_error ("cannot reopen %s: %s", vmem_connection_get_uri (frozen), error->message);
  g_assert_true (vmem_connection_find_domain (frozen, host_env ("B", "DOMAIN")) == held);
  g_assert_true (vmem_domain_find_memory_device (held, "virtiomem0") == VMEM_MEMORY_DEVICE (held_vmem));
  g_assert_true (vmem_memory_device_is_live (VMEM_MEMORY_DEVICE (held_vmem)));
  {
    Host thawed = { "B", frozen, held, held_vmem, NULL, 0 };
    Host *b[] = { &thawed };

    hosts_resize (b, grow, 1);
    host_wait_memtotal ("B", total_b + (256 * MiB - VMEM_START) / KiB);
    hosts_resize (b, back, 1);
    host_wait_memtotal ("B", total_b);
  }
  hosts_resize (a, back, 1);
  host_wait_memtotal ("A", total_a);
  vmem_connection_close (frozen);
}

static void
test_hosts_daemon_killed (Hosts         *h,
                          gconstpointer  data)
{
  g_autoptr(GArray) tls_reasons = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GArray) ssh_reasons = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GEnumClass) reason_class = g_type_class_ref (VMEM_TYPE_CLOSE_REASON);
  Host *a[] = { &h->a_tcp };
  const guint64 grow[] = { 256 * MiB };
  const guint64 back[] = { VMEM_START };
  guint64 total_a = host_memtotal ("A");
  pid_t pid = bed_libvirtd_pid_in (host_env ("B", "WORKDIR"));
  gint64 t0;

  g_signal_connect (h->b_tls.connection, "closed", G_CALLBACK (on_closed), tls_reasons);
  g_signal_connect (h->b_ssh.connection, "closed", G_CALLBACK (on_closed), ssh_reasons);
  if (kill (pid, SIGKILL) != 0)
    g_error ("kill -KILL %d: %s", (int) pid, g_strerror (errno));
  t0 = g_get_monotonic_time ();

  /* Both links to B close; A's does not. */
  if (!run_until (array_nonempty, tls_reasons, 40) || !run_until (array_nonempty, ssh_reasons, 40))
    g_error ("B's connections did not both close within 40 s of killing its daemon");
  g_test_message ("B killed: TLS closed (%s), SSH closed (%s), %.3f s",
                  g_enum_get_value (reason_class, g_array_index (tls_reasons, int, 0))->value_nick,
                  g_enum_get_value (reason_class, g_array_index (ssh_reasons, int, 0))->value_nick,
                  seconds_since (t0));
  g_assert_cmpint (g_array_index (tls_reasons, int, 0), !=, VMEM_CLOSE_REASON_CLIENT);
  g_assert_cmpint (g_array_index (ssh_reasons, int, 0), !=, VMEM_CLOSE_REASON_CLIENT);
  g_assert_true (vmem_connection_is_open (h->a_tcp.connection));

  hosts_resize (a, grow, 1);
  host_wait_memtotal ("A", total_a + (256 * MiB - VMEM_START) / KiB);
  hosts_resize (a, back, 1);
  host_wait_memtotal ("A", total_a);
  g_assert_cmpuint (tls_reasons->len, ==, 1);
  g_assert_cmpuint (ssh_reasons->len, ==, 1);
  g_assert_true (vmem_connection_is_open (h->a_tcp.connection));
}

int
main (int    argc,
      char **argv)
{
  const char *bed = NULL;
  BedMode mode;

  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();
  g_thread_unref (g_thread_new ("watchdog", watchdog_run, NULL));

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--bed") && i + 1 < argc)
        bed = argv[++i];
      else if (g_str_has_prefix (argv[i], "--bed="))
        bed = argv[i] + strlen ("--bed=");
      else
        g_error ("unknown argument %s; usage: test-live [GTEST-OPTIONS] --bed "
                 "default|two-nodes|no-virtio-mem|daemon-killed|hosts", argv[i]);
    }
  if (bed == NULL)
    g_error ("usage: test-live [GTEST-OPTIONS] --bed default|two-nodes|no-virtio-mem|daemon-killed|hosts");

  if (g_str_equal (bed, "default"))
    mode = BED_DEFAULT;
  else if (g_str_equal (bed, "two-nodes"))
    mode = BED_TWO_NODES;
  else if (g_str_equal (bed, "no-virtio-mem"))
    mode = BED_NO_VIRTIO_MEM;
  else if (g_str_equal (bed, "daemon-killed"))
    mode = BED_DAEMON_KILLED;
  else if (g_str_equal (bed, "hosts"))
    mode = BED_HOSTS;
  else
    g_error ("unknown bed '%s'", bed);

#define ADD(path, func) \
  g_test_add (path, Live, GINT_TO_POINTER (mode), live_set_up, func, live_tear_down)

  switch (mode)
    {
    case BED_DEFAULT:
      ADD ("/live/grow-shrink", test_grow_shrink);
      ADD ("/live/memtotal-follows", test_memtotal_follows);
      ADD ("/live/refused-nothing-sent", test_refused_nothing_sent);
      ADD ("/live/set-requested-size", test_set_requested_size);
      ADD ("/live/dimm-attach-detach", test_dimm_attach_detach);
      ADD ("/live/cancel", test_cancel);
      ADD ("/live/held-by-connection", test_held_by_connection);
      ADD ("/live/second-domain", test_second_domain);
      ADD ("/live/figures", test_figures);
      break;
    case BED_TWO_NODES:
      ADD ("/live/two-nodes", test_two_nodes);
      break;
    case BED_NO_VIRTIO_MEM:
      ADD ("/live/stall", test_stall);
      /* Last: it stops the domain. */
      ADD ("/live/domain-stopped", test_domain_stopped);
      break;
    case BED_DAEMON_KILLED:
      ADD ("/live/daemon-killed", test_daemon_killed);
      break;
    case BED_HOSTS:
#define ADD_HOSTS(path, func) g_test_add (path, Hosts, NULL, hosts_set_up, func, hosts_tear_down)
      ADD_HOSTS ("/hosts/list", test_hosts_list);
      ADD_HOSTS ("/hosts/resize-both", test_hosts_resize_both);
      ADD_HOSTS ("/hosts/errors", test_hosts_errors);
      ADD_HOSTS ("/hosts/freeze-reopen", test_hosts_freeze);
      /* Last: it kills B's daemon. */
      ADD_HOSTS ("/hosts/daemon-killed", test_hosts_daemon_killed);
#undef ADD_HOSTS
      break;
    default:
      g_assert_not_reached ();
    }

#undef ADD

  return g_test_run ();
}
