/* vmem-bench-bed.c: the measuring side of the live benchmarks
 *
 * run-bed starts a test bed and runs this program in it, once per
 * benchmark; each run prints one JSON object on stdout with the raw
 * samples, and progress on stderr. run-bed turns the samples into figures.
 *
 *   vmem-bench-bed enumerate URI REPS
 *       opens a connection to URI, reads every domain with every memory
 *       device and all their properties, and closes it, through the
 *       library (a: vmem_connection_open() reads the domains), and with
 *       plain libvirt calls, virConnectOpen(), virConnectListAllDomains()
 *       and virDomainGetXMLDesc() per domain, without parsing, and
 *       virConnectClose() (d); REPS of each, interleaved. Also counts the
 *       libvirt calls each side makes that go to the daemon.
 *
 *   vmem-bench-bed events URI DOMAIN N
 *       suspends and resumes DOMAIN N times in all, from a thread of its
 *       own on a plain connection, and times each lifecycle event from the
 *       moment libvirt calls the library to the moment the library's
 *       notify::state reaches a handler on the main loop; the library
 *       reads the domain between. The baseline does the same without the
 *       library: a plain libvirt callback, on a connection of its own on
 *       the same libvirt event loop, posts an idle to the main context,
 *       which reads the domain's XML and parses it with libxml2, timed to
 *       the end of the parse. The two take turns by blocks of 10 events,
 *       each alone in the process.
 *
 *   vmem-bench-bed model URI XMLFILE N
 *       the same with the domain of XMLFILE defined and undefined N times
 *       in all, timed to the handler of the items-changed of the
 *       library's vmem_connection_get_domains(); the baseline's idle
 *       reads a defined domain, and does nothing for an undefined one.
 *
 *   vmem-bench-bed resize URI DOMAIN ALIAS BLOCKS
 *       grows and shrinks the virtio-mem device ALIAS between 128 MiB and
 *       1 GiB, from request to the final size, with the library
 *       (vmem_virtio_mem_resize_async(), ended by the
 *       memory-device-size-changed signal with the requested size) and with
 *       virsh (update-memory-device --live, ended by the line of a running
 *       "virsh event --event memory-device-size-change --loop" with the
 *       requested size). Each block is four moves, the tools and
 *       directions alternating as resize_next() says. Meanwhile every
 *       size-change event the library gets is timed as in "events"; a
 *       plain callback times the same events too,
 *       but it runs after the library's and rides on its wake-up of the
 *       main loop, so it is no baseline, only a hint.
 *
 * How the "libvirt called the library" moment is taken: the program is
 * linked from the library's objects, not against the shared library, with
 * the linker wrapping virConnectDomainEventRegisterAny(). When the library
 * registers its callbacks, the wrapper registers a trampoline in their
 * place that notes the time and calls the library's own callback with its
 * own data. The path measured is the library's, unchanged; nothing is
 * added to the library and no private symbol is exported. The same linker
 * option counts the calls to libvirt that go to the daemon.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <libxml/parser.h>

#include <vmem.h>

#define MiB ((guint64) 1 << 20)
#define GiB ((guint64) 1 << 30)

#define SMALL_SIZE (128 * MiB)
#define LARGE_SIZE (1 * GiB)

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

#define progress(...) \
  G_STMT_START { \
    fprintf (stderr, "vmem-bench-bed: " __VA_ARGS__); \
    fputc ('\n', stderr); \
  } G_STMT_END

#define die(...) \
  G_STMT_START { \
    fprintf (stderr, "vmem-bench-bed: error: " __VA_ARGS__); \
    fputc ('\n', stderr); \
    exit (1); \
  } G_STMT_END

/* ------------------------------------------------ wrapped libvirt calls */

/* The calls that make a round trip to the daemon, counted. */
typedef enum {
  CALL_LIST_ALL_DOMAINS,
  CALL_GET_ALL_DOMAIN_STATS,
  CALL_GET_XML_DESC,
  CALL_GET_STATE,
  CALL_IS_ACTIVE,
  CALL_UPDATE_DEVICE_FLAGS,
  CALL_EVENT_REGISTER,
  CALL_EVENT_DEREGISTER,
  N_CALLS
} Call;

static const char *const call_names[N_CALLS] = {
  "virConnectListAllDomains",
  "virConnectGetAllDomainStats",
  "virDomainGetXMLDesc",
  "virDomainGetState",
  "virDomainIsActive",
  "virDomainUpdateDeviceFlags",
  "virConnectDomainEventRegisterAny",
  "virConnectDomainEventDeregisterAny",
};

static gint call_counts[N_CALLS];

static void
count_call (Call call)
{
  g_atomic_int_inc (&call_counts[call]);
}

static void
counts_reset (void)
{
  for (guint i = 0; i < N_CALLS; i++)
    g_atomic_int_set (&call_counts[i], 0);
}

static guint
counts_total (void)
{
  guint total = 0;

  for (guint i = 0; i < N_CALLS; i++)
    total += g_atomic_int_get (&call_counts[i]);
  return total;
}

static void
counts_to_json (GString *out)
{
  g_string_append_c (out, '{');
  for (guint i = 0; i < N_CALLS; i++)
    g_string_append_printf (out, "%s\"%s\": %d", i ? ", " : "", call_names[i],
                            g_atomic_int_get (&call_counts[i]));
  g_string_append_c (out, '}');
}

/* Declared for the linker's --wrap: __real_x is libvirt's x. */
int __real_virConnectListAllDomains (virConnectPtr, virDomainPtr **, unsigned int);
int __wrap_virConnectListAllDomains (virConnectPtr, virDomainPtr **, unsigned int);
int __real_virConnectGetAllDomainStats (virConnectPtr, unsigned int, virDomainStatsRecordPtr **, unsigned int);
int __wrap_virConnectGetAllDomainStats (virConnectPtr, unsigned int, virDomainStatsRecordPtr **, unsigned int);
char *__real_virDomainGetXMLDesc (virDomainPtr, unsigned int);
char *__wrap_virDomainGetXMLDesc (virDomainPtr, unsigned int);
int __real_virDomainGetState (virDomainPtr, int *, int *, unsigned int);
int __wrap_virDomainGetState (virDomainPtr, int *, int *, unsigned int);
int __real_virDomainIsActive (virDomainPtr);
int __wrap_virDomainIsActive (virDomainPtr);
int __real_virDomainUpdateDeviceFlags (virDomainPtr, const char *, unsigned int);
int __wrap_virDomainUpdateDeviceFlags (virDomainPtr, const char *, unsigned int);
int __real_virConnectDomainEventRegisterAny (virConnectPtr, virDomainPtr, int,
                                             virConnectDomainEventGenericCallback,
                                             void *, virFreeCallback);
int __wrap_virConnectDomainEventRegisterAny (virConnectPtr, virDomainPtr, int,
                                             virConnectDomainEventGenericCallback,
                                             void *, virFreeCallback);
int __real_virConnectDomainEventDeregisterAny (virConnectPtr, int);
int __wrap_virConnectDomainEventDeregisterAny (virConnectPtr, int);

int
__wrap_virConnectListAllDomains (virConnectPtr   conn,
                                 virDomainPtr  **domains,
                                 unsigned int    flags)
{
  count_call (CALL_LIST_ALL_DOMAINS);
  return __real_virConnectListAllDomains (conn, domains, flags);
}

int
__wrap_virConnectGetAllDomainStats (virConnectPtr              conn,
                                    unsigned int               stats,
                                    virDomainStatsRecordPtr  **records,
                                    unsigned int               flags)
{
  count_call (CALL_GET_ALL_DOMAIN_STATS);
  return __real_virConnectGetAllDomainStats (conn, stats, records, flags);
}

char *
__wrap_virDomainGetXMLDesc (virDomainPtr dom,
                            unsigned int flags)
{
  count_call (CALL_GET_XML_DESC);
  return __real_virDomainGetXMLDesc (dom, flags);
}

int
__wrap_virDomainGetState (virDomainPtr  dom,
                          int          *state,
                          int          *reason,
                          unsigned int  flags)
{
  count_call (CALL_GET_STATE);
  return __real_virDomainGetState (dom, state, reason, flags);
}

int
__wrap_virDomainIsActive (virDomainPtr dom)
{
  count_call (CALL_IS_ACTIVE);
  return __real_virDomainIsActive (dom);
}

int
__wrap_virDomainUpdateDeviceFlags (virDomainPtr  dom,
                                   const char   *xml,
                                   unsigned int  flags)
{
  count_call (CALL_UPDATE_DEVICE_FLAGS);
  return __real_virDomainUpdateDeviceFlags (dom, xml, flags);
}

int
__wrap_virConnectDomainEventDeregisterAny (virConnectPtr conn,
                                           int           callback_id)
{
  count_call (CALL_EVENT_DEREGISTER);
  return __real_virConnectDomainEventDeregisterAny (conn, callback_id);
}

/* When libvirt last called the library's lifecycle and size-change
 * callbacks, and how often. */
static gint64 lifecycle_called_ns;
static gint64 size_change_called_ns;
static gint   lifecycle_calls;
static gint   size_change_calls;

typedef struct
{
  GCallback        callback;    /* the library's, of the event's type */
  void            *opaque;
  virFreeCallback  free_func;
} Trampoline;

static void
trampoline_free (void *data)
{
  Trampoline *trampoline = data;

  if (trampoline->free_func != NULL)
    trampoline->free_func (trampoline->opaque);
  g_free (trampoline);
}

static int
trampoline_lifecycle (virConnectPtr  conn,
                      virDomainPtr   dom,
                      int            event,
                      int            detail,
                      void          *opaque)
{
  Trampoline *trampoline = opaque;

  __atomic_store_n (&lifecycle_called_ns, now_ns (), __ATOMIC_SEQ_CST);
  g_atomic_int_inc (&lifecycle_calls);
  return ((virConnectDomainEventCallback) trampoline->callback) (conn, dom, event, detail,
                                                                 trampoline->opaque);
}

static void
trampoline_size_change (virConnectPtr       conn,
                        virDomainPtr        dom,
                        const char         *alias,
                        unsigned long long  size,
                        void               *opaque)
{
  Trampoline *trampoline = opaque;

  __atomic_store_n (&size_change_called_ns, now_ns (), __ATOMIC_SEQ_CST);
  g_atomic_int_inc (&size_change_calls);
  ((virConnectDomainEventMemoryDeviceSizeChangeCallback) trampoline->callback) (conn, dom, alias,
                                                                                size,
                                                                                trampoline->opaque);
}

int
__wrap_virConnectDomainEventRegisterAny (virConnectPtr                         conn,
                                         virDomainPtr                          dom,
                                         int                                   event_id,
                                         virConnectDomainEventGenericCallback  callback,
                                         void                                 *opaque,
                                         virFreeCallback                       free_func)
{
  virConnectDomainEventGenericCallback in_place;
  Trampoline *trampoline;
  int id;

  count_call (CALL_EVENT_REGISTER);
  switch (event_id)
    {
    case VIR_DOMAIN_EVENT_ID_LIFECYCLE:
      in_place = VIR_DOMAIN_EVENT_CALLBACK (trampoline_lifecycle);
      break;
    case VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE:
      in_place = VIR_DOMAIN_EVENT_CALLBACK (trampoline_size_change);
      break;
    default:
      return __real_virConnectDomainEventRegisterAny (conn, dom, event_id, callback, opaque,
                                                      free_func);
    }

  trampoline = g_new0 (Trampoline, 1);
  trampoline->callback = (GCallback) callback;
  trampoline->opaque = opaque;
  trampoline->free_func = free_func;

  id = __real_virConnectDomainEventRegisterAny (conn, dom, event_id, in_place, trampoline,
                                                trampoline_free);
  /* As libvirt does: on failure the free function is not called. */
  if (id < 0)
    g_free (trampoline);
  return id;
}

/* ------------------------------------------------------------ helpers */

static VmemConnection *
library_open (const char *uri)
{
  g_autoptr(VmemConnection) connection = vmem_connection_new (uri);
  g_autoptr(GError) error = NULL;

  if (!vmem_connection_open (connection, NULL, &error))
    die ("cannot open %s with the library: %s", uri, error->message);
  return g_steal_pointer (&connection);
}

static virConnectPtr
plain_open (const char *uri)
{
  virConnectPtr conn = virConnectOpen (uri);

  if (conn == NULL)
    die ("cannot open %s: %s", uri, virGetLastErrorMessage ());
  return conn;
}

/* The same hop as the library's without the library, for the size-change
 * events of the resize benchmark: a plain libvirt callback on a connection
 * of its own that posts an idle to the main context, timed from the
 * callback to the idle's dispatch. Registered with libvirt's own function,
 * not through the wrapper. */
typedef struct
{
  gint64  called_ns;
  GArray *latency_ns;
} Hop;

static gboolean
hop_dispatch (gpointer data)
{
  Hop *hop = data;
  gint64 latency = now_ns () - hop->called_ns;

  g_array_append_val (hop->latency_ns, latency);
  return G_SOURCE_REMOVE;
}

static void
hop_post (GArray *latency_ns)
{
  Hop *hop = g_new (Hop, 1);
  GSource *source = g_idle_source_new ();

  hop->called_ns = now_ns ();
  hop->latency_ns = latency_ns;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, hop_dispatch, hop, g_free);
  g_source_attach (source, NULL);
  g_source_unref (source);
}

static int
hop_lifecycle (virConnectPtr  conn,
               virDomainPtr   dom,
               int            event,
               int            detail,
               void          *opaque)
{
  hop_post (opaque);
  return 0;
}

static void
hop_size_change (virConnectPtr       conn,
                 virDomainPtr        dom,
                 const char         *alias,
                 unsigned long long  size,
                 void               *opaque)
{
  hop_post (opaque);
}

/* Opens the baseline's connection, after the library's: on the same
 * libvirt event loop. */
static virConnectPtr
hop_open (const char *uri,
          int         event_id,
          GArray     *latency_ns)
{
  virConnectPtr conn = plain_open (uri);
  virConnectDomainEventGenericCallback callback =
    event_id == VIR_DOMAIN_EVENT_ID_LIFECYCLE ? VIR_DOMAIN_EVENT_CALLBACK (hop_lifecycle)
                                              : VIR_DOMAIN_EVENT_CALLBACK (hop_size_change);

  if (__real_virConnectDomainEventRegisterAny (conn, NULL, event_id, callback, latency_ns,
                                               NULL) < 0)
    die ("cannot register the baseline's event callback: %s", virGetLastErrorMessage ());
  return conn;
}

static void
hop_wait (GArray *latency_ns,
          guint   n)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_TIME_SPAN_SECOND;

  while (latency_ns->len < n && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static void
append_samples (GString    *out,
                const char *name,
                GArray     *samples)
{
  g_string_append_printf (out, "\"%s\": [", name);
  for (guint i = 0; i < samples->len; i++)
    g_string_append_printf (out, "%s%" G_GINT64_FORMAT, i ? ", " : "",
                            g_array_index (samples, gint64, i));
  g_string_append_c (out, ']');
}

static guint64
parse_count (const char *text)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT, &value, NULL))
    die ("not a count: %s", text);
  return value;
}

/* ---------------------------------------------------------- enumerate */

static guint
read_properties (GObject *object)
{
  guint n_pspecs, n = 0;
  g_autofree GParamSpec **pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (object),
                                                                   &n_pspecs);

  for (guint i = 0; i < n_pspecs; i++)
    {
      GValue value = G_VALUE_INIT;

      if (!(pspecs[i]->flags & G_PARAM_READABLE))
        continue;
      g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (pspecs[i]));
      g_object_get_property (object, pspecs[i]->name, &value);
      g_value_unset (&value);
      n++;
    }

  return n;
}

typedef struct
{
  guint domains;
  guint devices;
  guint properties;
  gsize bytes;
} Listed;

/* (a): the library, as an application lists everything it shows: a
 * connection opened, which reads every domain, every property read, the
 * connection closed. */
static void
list_with_library (const char *uri,
                   Listed     *listed)
{
  g_autoptr(VmemConnection) connection = library_open (uri);
  GListModel *domains = vmem_connection_get_domains (connection);
  guint n;

  memset (listed, 0, sizeof *listed);
  n = g_list_model_get_n_items (domains);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VmemDomain) domain = g_list_model_get_item (domains, i);
      GListModel *devices = vmem_domain_get_memory_devices (domain);
      guint n_devices = g_list_model_get_n_items (devices);

      listed->properties += read_properties (G_OBJECT (domain));
      for (guint j = 0; j < n_devices; j++)
        {
          g_autoptr(GObject) device = g_list_model_get_item (devices, j);

          listed->properties += read_properties (device);
        }
      listed->devices += n_devices;
    }
  listed->domains = n;
  vmem_connection_close (connection);
}

/* (d): the floor, plain libvirt: a connection opened, the list and each
 * domain's XML, unread, the connection closed. */
static void
list_with_libvirt (const char *uri,
                   Listed     *listed)
{
  virConnectPtr conn = plain_open (uri);
  virDomainPtr *doms = NULL;
  int n = virConnectListAllDomains (conn, &doms, 0);

  if (n < 0)
    die ("cannot list the domains: %s", virGetLastErrorMessage ());

  memset (listed, 0, sizeof *listed);
  for (int i = 0; i < n; i++)
    {
      char *xml = virDomainGetXMLDesc (doms[i], 0);

      if (xml == NULL)
        die ("cannot read the XML of a domain: %s", virGetLastErrorMessage ());
      listed->bytes += strlen (xml);
      free (xml);
      virDomainFree (doms[i]);
    }
  free (doms);
  listed->domains = n;
  virConnectClose (conn);
}

static int
run_enumerate (const char *uri,
               guint       reps)
{
  g_autoptr(GArray) library_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) libvirt_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GString) out = g_string_new ("{");
  Listed a, d;
  guint a_calls, d_calls;

  /* Once each, untimed: the daemon's and the client's first-use costs,
   * and the calls each side makes. */
  counts_reset ();
  list_with_library (uri, &a);
  a_calls = counts_total ();
  g_string_append (out, "\"library_calls\": ");
  counts_to_json (out);

  counts_reset ();
  list_with_libvirt (uri, &d);
  d_calls = counts_total ();
  g_string_append (out, ", \"libvirt_calls\": ");
  counts_to_json (out);

  if (a.domains != d.domains)
    die ("the library listed %u domains, libvirt %u", a.domains, d.domains);
  progress ("enumerate: %u domains, %u memory devices, %u properties read; "
            "%u daemon calls by the library, %u by plain libvirt",
            a.domains, a.devices, a.properties, a_calls, d_calls);

  for (guint rep = 0; rep < reps; rep++)
    {
      for (guint k = 0; k < 2; k++)
        {
          /* Alternate which side goes first. */
          gboolean library = (rep + k) % 2 == 0;
          gint64 t0 = now_ns (), t;

          if (library)
            list_with_library (uri, &a);
          else
            list_with_libvirt (uri, &d);
          t = now_ns () - t0;
          g_array_append_val (library ? library_ns : libvirt_ns, t);
        }
    }

  g_string_append_printf (out, ", \"domains\": %u, \"devices\": %u, \"properties\": %u, "
                          "\"xml_bytes\": %" G_GSIZE_FORMAT ", ",
                          a.domains, a.devices, a.properties, d.bytes);
  append_samples (out, "library_ns", library_ns);
  g_string_append (out, ", ");
  append_samples (out, "libvirt_ns", libvirt_ns);
  g_string_append (out, "}");
  printf ("%s\n", out->str);
  return 0;
}

/* ------------------------------------------------------------- events */

/* The library and the baseline take turns by blocks of events, each alone
 * in the process during its block: two callbacks of the same event would
 * have the second ride on the main loop's wake-up by the first. */
#define EVENTS_BLOCK 10

typedef enum {
  EVENTS_STATE,              /* suspend and resume, to notify::state */
  EVENTS_MODEL,              /* define and undefine, to items-changed */
} EventsKind;

typedef struct
{
  EventsKind     kind;
  virConnectPtr  conn;       /* the plain connection that makes the events */
  virDomainPtr   dom;        /* on it: the running domain, or the one defined */
  char          *xml;        /* EVENTS_MODEL: of the domain defined and undefined */
  guint          first;      /* the first event of the block */
  guint          n;          /* how many in the block */
  gboolean       defining;   /* EVENTS_MODEL: the event in flight */

  GMutex         lock;
  GCond          cond;
  guint          seen;       /* in this block */
  gboolean       failed;
  GMainLoop     *loop;

  /* The block's samples go to the library's or the plain callback's;
   * with EVENTS_MODEL, those of undefined domains to the second pair. */
  GArray        *latency_ns;
  GArray        *baseline_ns;
  GArray        *undefined_latency_ns;
  GArray        *undefined_baseline_ns;
  GArray        *samples;
  GArray        *undefined_samples;
} Events;

static void
events_seen (Events *events,
             GArray *samples,
             gint64  latency)
{
  g_mutex_lock (&events->lock);
  g_array_append_val (samples, latency);
  events->seen++;
  g_cond_signal (&events->cond);
  g_mutex_unlock (&events->lock);
}

static void
events_fail (Events     *events,
             const char *what)
{
  progress ("events: %s", what);
  g_mutex_lock (&events->lock);
  events->failed = TRUE;
  g_cond_signal (&events->cond);
  g_mutex_unlock (&events->lock);
}

static void
events_state_notified (GObject    *object,
                       GParamSpec *pspec,
                       gpointer    user_data)
{
  gint64 t = now_ns ();
  Events *events = user_data;

  events_seen (events, events->samples,
               t - __atomic_load_n (&lifecycle_called_ns, __ATOMIC_SEQ_CST));
}

static void
events_items_changed (GListModel *model,
                      guint       position,
                      guint       removed,
                      guint       added,
                      gpointer    user_data)
{
  gint64 t = now_ns ();
  Events *events = user_data;
  gboolean defining = __atomic_load_n (&events->defining, __ATOMIC_SEQ_CST);

  if (defining ? added != 1 || removed != 0 : added != 0 || removed != 1)
    {
      events_fail (events, "the model changed otherwise than the event said");
      return;
    }
  events_seen (events, defining ? events->samples : events->undefined_samples,
               t - __atomic_load_n (&lifecycle_called_ns, __ATOMIC_SEQ_CST));
}

typedef struct
{
  gint64        called_ns;
  Events       *events;
  virDomainPtr  dom;         /* the domain to read, or NULL */
} EventsHop;

/* The baseline's handler: what the library does before its own handler
 * runs, the domain read, done the plain way: its XML, parsed by libxml2.
 * An undefined domain is not read: the event says all. */
static gboolean
events_hop_dispatch (gpointer data)
{
  EventsHop *hop = data;
  Events *events = hop->events;
  gint64 t;

  if (hop->dom != NULL)
    {
      char *xml = virDomainGetXMLDesc (hop->dom, 0);
      xmlDocPtr doc = xml != NULL ? xmlReadMemory (xml, strlen (xml), NULL, NULL,
                                                   XML_PARSE_NONET)
                                  : NULL;

      t = now_ns ();
      if (doc == NULL)
        events_fail (events, "the baseline could not read the domain");
      else
        events_seen (events, events->samples, t - hop->called_ns);
      xmlFreeDoc (doc);
      free (xml);
    }
  else
    {
      t = now_ns ();
      events_seen (events, events->undefined_samples, t - hop->called_ns);
    }

  return G_SOURCE_REMOVE;
}

static void
events_hop_free (gpointer data)
{
  EventsHop *hop = data;

  if (hop->dom != NULL)
    virDomainFree (hop->dom);
  g_free (hop);
}

/* The baseline: libvirt's callback posts an idle to the main context, as
 * the library posts its reads, and the idle is the handler. */
static int
events_hop_lifecycle (virConnectPtr  conn,
                      virDomainPtr   dom,
                      int            event,
                      int            detail,
                      void          *opaque)
{
  Events *events = opaque;
  EventsHop *hop;
  GSource *source;

  if (events->kind == EVENTS_MODEL &&
      event != VIR_DOMAIN_EVENT_DEFINED && event != VIR_DOMAIN_EVENT_UNDEFINED)
    return 0;

  hop = g_new0 (EventsHop, 1);
  hop->called_ns = now_ns ();
  hop->events = events;
  if (event != VIR_DOMAIN_EVENT_UNDEFINED)
    {
      virDomainRef (dom);
      hop->dom = dom;
    }
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, events_hop_dispatch, hop, events_hop_free);
  g_source_attach (source, NULL);
  g_source_unref (source);
  return 0;
}

static gboolean
events_quit (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* Makes the block's events, each time waiting for the handler before the
 * next request: one event in flight at a time. */
static gpointer
events_driver (gpointer data)
{
  Events *events = data;

  for (guint i = 0; i < events->n && !events->failed; i++)
    {
      gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
      gboolean even = (events->first + i) % 2 == 0;
      const char *what;
      int rc;

      if (events->kind == EVENTS_STATE)
        {
          what = even ? "suspend" : "resume";
          rc = even ? virDomainSuspend (events->dom) : virDomainResume (events->dom);
        }
      else
        {
          what = even ? "define" : "undefine";
          __atomic_store_n (&events->defining, even, __ATOMIC_SEQ_CST);
          if (even)
            {
              events->dom = virDomainDefineXML (events->conn, events->xml);
              rc = events->dom != NULL ? 0 : -1;
            }
          else
            {
              rc = virDomainUndefine (events->dom);
              if (rc == 0)
                g_clear_pointer (&events->dom, virDomainFree);
            }
        }

      if (rc < 0)
        {
          progress ("events: %s failed: %s", what, virGetLastErrorMessage ());
          events_fail (events, "libvirt refused");
          break;
        }

      g_mutex_lock (&events->lock);
      while (events->seen < i + 1 && !events->failed)
        if (!g_cond_wait_until (&events->cond, &events->lock, deadline))
          {
            progress ("events: no handler within 10 s of event %u", events->first + i);
            events->failed = TRUE;
          }
      g_mutex_unlock (&events->lock);
    }

  g_main_context_invoke (NULL, events_quit, events->loop);
  return NULL;
}

static void
events_run_block (Events *events)
{
  GThread *driver;

  events->seen = 0;
  driver = g_thread_new ("events-driver", events_driver, events);
  g_main_loop_run (events->loop);
  g_thread_join (driver);
}

/* @target: the running domain's name (EVENTS_STATE), or the file of the
 * domain to define and undefine (EVENTS_MODEL). */
static int
run_events (EventsKind  kind,
            const char *uri,
            const char *target,
            guint       n)
{
  g_autoptr(GString) out = g_string_new ("{");
  g_autoptr(GError) error = NULL;
  Events events = { kind, NULL, };
  int state, reason;

  /* The library registers libvirt's event loop when it first opens; the
   * plain connections use the same. */
  {
    g_autoptr(VmemConnection) connection = library_open (uri);

    vmem_connection_close (connection);
  }

  events.conn = plain_open (uri);
  if (kind == EVENTS_STATE)
    {
      events.dom = virDomainLookupByName (events.conn, target);
      if (events.dom == NULL)
        die ("no domain %s: %s", target, virGetLastErrorMessage ());
      if (virDomainGetState (events.dom, &state, &reason, 0) < 0 || state != VIR_DOMAIN_RUNNING)
        die ("domain %s does not run", target);
    }
  else if (!g_file_get_contents (target, &events.xml, NULL, &error))
    die ("%s", error->message);

  g_mutex_init (&events.lock);
  g_cond_init (&events.cond);
  events.latency_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  events.baseline_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  events.undefined_latency_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  events.undefined_baseline_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  events.loop = g_main_loop_new (NULL, FALSE);
  g_atomic_int_set (&lifecycle_calls, 0);

  for (guint first = 0; first < n && !events.failed; first += EVENTS_BLOCK)
    {
      gboolean library = (first / EVENTS_BLOCK) % 2 == 0;

      events.first = first;
      events.n = MIN (EVENTS_BLOCK, n - first);
      events.samples = library ? events.latency_ns : events.baseline_ns;
      events.undefined_samples = library ? events.undefined_latency_ns
                                         : events.undefined_baseline_ns;

      if (library)
        {
          g_autoptr(VmemConnection) connection = library_open (uri);
          g_autoptr(VmemDomain) domain = NULL;
          gpointer instance;

          if (kind == EVENTS_STATE)
            {
              domain = vmem_connection_lookup_domain (connection, target, &error);
              if (domain == NULL)
                die ("the library found no domain %s: %s", target, error->message);
              instance = domain;
              g_signal_connect (domain, "notify::state", G_CALLBACK (events_state_notified),
                                &events);
            }
          else
            {
              instance = vmem_connection_get_domains (connection);
              g_signal_connect (instance, "items-changed", G_CALLBACK (events_items_changed),
                                &events);
            }
          events_run_block (&events);
          g_signal_handlers_disconnect_by_data (instance, &events);
          vmem_connection_close (connection);
        }
      else
        {
          virConnectPtr hop_conn = plain_open (uri);
          int id = __real_virConnectDomainEventRegisterAny (hop_conn, NULL,
                                                            VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                            VIR_DOMAIN_EVENT_CALLBACK (events_hop_lifecycle),
                                                            &events, NULL);

          if (id < 0)
            die ("cannot register the baseline's callback: %s", virGetLastErrorMessage ());
          events_run_block (&events);
          /* A connection with a callback stays open until it is gone. */
          __real_virConnectDomainEventDeregisterAny (hop_conn, id);
          virConnectClose (hop_conn);
        }
    }

  /* Leave the bed as it was whatever happened: the guest running, the
   * domain defined for the benchmark gone. */
  if (kind == EVENTS_STATE)
    {
      if (virDomainGetState (events.dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_PAUSED)
        virDomainResume (events.dom);
    }
  else if (events.dom != NULL)
    virDomainUndefine (events.dom);
  g_clear_pointer (&events.dom, virDomainFree);
  virConnectClose (events.conn);

  if (events.failed)
    die ("the lifecycle events did not all come");

  progress ("events: %u lifecycle callbacks into the library, %u handled; %u by the baseline",
            g_atomic_int_get (&lifecycle_calls),
            events.latency_ns->len + events.undefined_latency_ns->len,
            events.baseline_ns->len + events.undefined_baseline_ns->len);
  g_string_append_printf (out, "\"callbacks\": %d, ", g_atomic_int_get (&lifecycle_calls));
  append_samples (out, "latency_ns", events.latency_ns);
  g_string_append (out, ", ");
  append_samples (out, "baseline_latency_ns", events.baseline_ns);
  if (kind == EVENTS_MODEL)
    {
      g_string_append (out, ", ");
      append_samples (out, "undefined_latency_ns", events.undefined_latency_ns);
      g_string_append (out, ", ");
      append_samples (out, "undefined_baseline_latency_ns", events.undefined_baseline_ns);
    }
  g_string_append (out, "}");
  printf ("%s\n", out->str);

  g_array_unref (events.latency_ns);
  g_array_unref (events.baseline_ns);
  g_array_unref (events.undefined_latency_ns);
  g_array_unref (events.undefined_baseline_ns);
  g_main_loop_unref (events.loop);
  g_mutex_clear (&events.lock);
  g_cond_clear (&events.cond);
  g_free (events.xml);
  return 0;
}

/* ------------------------------------------------------------- resize */

typedef enum { TOOL_LIBRARY, TOOL_VIRSH } Tool;

typedef struct
{
  const char       *uri;
  const char       *domain_name;
  const char       *alias;
  guint             n_moves;

  VmemDomain       *domain;
  VmemVirtioMem    *device;
  GSubprocess      *watcher;
  GDataInputStream *watcher_out;
  GMainLoop        *loop;
  GString          *out;

  /* The move under way. */
  guint             move;
  Tool              tool;
  guint64           target;
  gint64            started_ns;
  gint64            ended_ns;
  gboolean          library_saw;     /* the signal with the target size */
  gboolean          virsh_saw;       /* the watcher's line with it */
  gboolean          request_done;    /* resize_async or virsh returned */
  guint             timeout_id;

  GArray           *size_latency_ns;
  GArray           *size_at_ns;       /* since the move's request */
  gboolean          failed;
} Resize;

static void resize_next (Resize *resize);

static void
resize_fail (Resize     *resize,
             const char *what)
{
  progress ("resize: move %u: %s", resize->move, what);
  resize->failed = TRUE;
  g_main_loop_quit (resize->loop);
}

static gboolean
resize_settled (gpointer data)
{
  Resize *resize = data;

  resize->move++;
  resize_next (resize);
  return G_SOURCE_REMOVE;
}

static void
resize_check_done (Resize *resize)
{
  gint64 duration;

  if (!resize->library_saw || !resize->virsh_saw || !resize->request_done)
    return;

  g_clear_handle_id (&resize->timeout_id, g_source_remove);
  duration = resize->ended_ns - resize->started_ns;
  g_string_append_printf (resize->out, "%s{\"tool\": \"%s\", \"direction\": \"%s\", \"ns\": %"
                          G_GINT64_FORMAT "}",
                          resize->move ? ", " : "",
                          resize->tool == TOOL_LIBRARY ? "library" : "virsh",
                          resize->target == LARGE_SIZE ? "grow" : "shrink", duration);
  progress ("resize: %s %s in %.3f s", resize->tool == TOOL_LIBRARY ? "library" : "virsh  ",
            resize->target == LARGE_SIZE ? "grow  " : "shrink", duration / 1e9);

  /* QEMU sends a device's size at most once a second: a request within a
   * second of the last event would see its first event held back. Each
   * move starts clear of that. */
  g_timeout_add (1200, resize_settled, resize);
}

static void
resize_size_changed (VmemDomain       *domain,
                     VmemMemoryDevice *device,
                     guint64           size,
                     gpointer          user_data)
{
  gint64 t = now_ns ();
  Resize *resize = user_data;
  gint64 latency = t - __atomic_load_n (&size_change_called_ns, __ATOMIC_SEQ_CST);

  g_array_append_val (resize->size_latency_ns, latency);
  latency = t - resize->started_ns;
  g_array_append_val (resize->size_at_ns, latency);

  if (g_strcmp0 (vmem_memory_device_get_alias (device), resize->alias) != 0)
    return;
  if (size == resize->target && !resize->library_saw)
    {
      resize->library_saw = TRUE;
      if (resize->tool == TOOL_LIBRARY)
        resize->ended_ns = t;
      resize_check_done (resize);
    }
}

static void watcher_read (Resize *resize);

static void
watcher_line (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Resize *resize = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object),
                                                                     result, NULL, &error);
  gint64 t = now_ns ();
  guint64 kib;

  if (line == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        resize_fail (resize, "virsh event stopped");
      return;
    }

  g_strstrip (line);
  if (g_str_has_prefix (line, "size: ") &&
      g_ascii_string_to_unsigned (line + strlen ("size: "), 10, 0, G_MAXUINT64, &kib, NULL) &&
      kib * 1024 == resize->target && !resize->virsh_saw)
    {
      resize->virsh_saw = TRUE;
      if (resize->tool == TOOL_VIRSH)
        resize->ended_ns = t;
      resize_check_done (resize);
    }

  watcher_read (resize);
}

static void
watcher_read (Resize *resize)
{
  g_data_input_stream_read_line_async (resize->watcher_out, G_PRIORITY_DEFAULT, NULL,
                                       watcher_line, resize);
}

static void
resize_library_done (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Resize *resize = user_data;
  g_autoptr(GError) error = NULL;

  if (!vmem_virtio_mem_resize_finish (VMEM_VIRTIO_MEM (object), result, &error))
    {
      resize_fail (resize, error->message);
      return;
    }
  resize->request_done = TRUE;
  resize_check_done (resize);
}

static void
resize_virsh_done (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Resize *resize = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_check_finish (G_SUBPROCESS (object), result, &error))
    {
      resize_fail (resize, error->message);
      return;
    }
  resize->request_done = TRUE;
  resize_check_done (resize);
}

static gboolean
resize_timed_out (gpointer data)
{
  Resize *resize = data;

  resize->timeout_id = 0;
  resize_fail (resize, resize->virsh_saw || resize->tool == TOOL_VIRSH
                       ? "no final size within 30 s"
                       : "no final size within 30 s (is virsh event running?)");
  return G_SOURCE_REMOVE;
}

/* Moves by cycles of eight, grow and shrink alternating: library grow,
 * virsh shrink, virsh grow, library shrink, library grow, library shrink,
 * virsh grow, virsh shrink; the next cycle swaps the tools. Each tool does
 * each direction equally often, each shrink follows each tool's grow
 * equally often (what the guest does after a grow may weigh on the
 * shrink), and each tool goes first as often as the other. A block is
 * half a cycle. */
static void
resize_next (Resize *resize)
{
  static const Tool pattern[8] = {
    TOOL_LIBRARY, TOOL_VIRSH, TOOL_VIRSH, TOOL_LIBRARY,
    TOOL_LIBRARY, TOOL_LIBRARY, TOOL_VIRSH, TOOL_VIRSH,
  };
  Tool tool;

  if (resize->move == resize->n_moves)
    {
      g_main_loop_quit (resize->loop);
      return;
    }

  tool = pattern[resize->move % 8];
  if ((resize->move / 8) % 2 == 1)
    tool = tool == TOOL_LIBRARY ? TOOL_VIRSH : TOOL_LIBRARY;

  resize->tool = tool;
  resize->target = resize->move % 2 == 0 ? LARGE_SIZE : SMALL_SIZE;
  resize->library_saw = resize->virsh_saw = resize->request_done = FALSE;
  resize->timeout_id = g_timeout_add_seconds (30, resize_timed_out, resize);

  resize->started_ns = now_ns ();
  if (tool == TOOL_LIBRARY)
    vmem_virtio_mem_resize_async (resize->device, resize->target, NULL, resize_library_done,
                                  resize);
  else
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *size = g_strdup_printf ("%" G_GUINT64_FORMAT "KiB", resize->target / 1024);
      g_autoptr(GSubprocess) virsh =
        g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                          "virsh", "-q", "-c", resize->uri, "update-memory-device",
                          resize->domain_name, "--alias", resize->alias,
                          "--requested-size", size, "--live", NULL);

      if (virsh == NULL)
        {
          resize_fail (resize, error->message);
          return;
        }
      g_subprocess_wait_check_async (virsh, NULL, resize_virsh_done, resize);
    }
}

static gboolean
resize_start (gpointer data)
{
  resize_next (data);
  return G_SOURCE_REMOVE;
}

static int
run_resize (const char *uri,
            const char *domain_name,
            const char *alias,
            guint       blocks)
{
  g_autoptr(VmemConnection) connection = library_open (uri);
  g_autoptr(GError) error = NULL;
  VmemMemoryDevice *device;
  Resize resize = { uri, domain_name, alias, blocks * 4 };
  g_autoptr(GArray) hop_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  virConnectPtr hop_conn = hop_open (uri, VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE, hop_ns);

  resize.domain = vmem_connection_lookup_domain (connection, domain_name, &error);
  if (resize.domain == NULL)
    die ("the library found no domain %s: %s", domain_name, error->message);
  device = vmem_domain_find_memory_device (resize.domain, alias);
  if (device == NULL || !VMEM_IS_VIRTIO_MEM (device))
    die ("domain %s has no virtio-mem device %s", domain_name, alias);
  resize.device = VMEM_VIRTIO_MEM (device);
  if (vmem_virtio_mem_get_current_size (resize.device) != SMALL_SIZE)
    die ("%s does not start at 128 MiB", alias);

  resize.loop = g_main_loop_new (NULL, FALSE);
  resize.out = g_string_new ("{\"moves\": [");
  resize.size_latency_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  resize.size_at_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (resize.domain, "memory-device-size-changed",
                    G_CALLBACK (resize_size_changed), &resize);

  resize.watcher = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                     "virsh", "-c", uri, "event", "--domain", domain_name,
                                     "--event", "memory-device-size-change", "--loop", NULL);
  if (resize.watcher == NULL)
    die ("cannot run virsh event: %s", error->message);
  resize.watcher_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (resize.watcher));
  watcher_read (&resize);

  /* The first move is the library's, and waits for the watcher's line
   * too: the watcher shows it listens before virsh is timed with it. */
  g_timeout_add (500, resize_start, &resize);
  g_main_loop_run (resize.loop);

  g_subprocess_force_exit (resize.watcher);
  g_clear_handle_id (&resize.timeout_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (resize.domain, &resize);

  if (resize.failed)
    die ("the resize benchmark did not complete");
  hop_wait (hop_ns, resize.size_latency_ns->len);
  virConnectClose (hop_conn);

  g_string_append (resize.out, "], \"size_events\": ");
  g_string_append_printf (resize.out, "%d, ", g_atomic_int_get (&size_change_calls));
  append_samples (resize.out, "size_latency_ns", resize.size_latency_ns);
  g_string_append (resize.out, ", ");
  append_samples (resize.out, "size_at_ns", resize.size_at_ns);
  g_string_append (resize.out, ", ");
  append_samples (resize.out, "baseline_latency_ns", hop_ns);
  g_string_append (resize.out, "}");
  printf ("%s\n", resize.out->str);

  /* Pending reads end with the stream. */
  g_clear_object (&resize.watcher_out);
  g_clear_object (&resize.watcher);
  g_string_free (resize.out, TRUE);
  g_array_unref (resize.size_latency_ns);
  g_array_unref (resize.size_at_ns);
  g_main_loop_unref (resize.loop);
  g_clear_object (&resize.domain);
  vmem_connection_close (connection);
  return 0;
}

/* -------------------------------------------------------------- hosts */

/* Several hosts at once, as an application watching a fleet opens them:
 * every connection opened together, every domain read, every property
 * read, every connection closed. */
typedef struct
{
  guint pending;
  gint64 first_listing_ns;   /* of the last connection to open */
} HostsOpen;

static void
hosts_opened (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  HostsOpen *open = user_data;
  g_autoptr(GError) error = NULL;

  if (!vmem_connection_open_finish (VMEM_CONNECTION (object), result, &error))
    die ("cannot open %s: %s", vmem_connection_get_uri (VMEM_CONNECTION (object)), error->message);
  open->pending--;
}

static void
hosts_with_library (char   **uris,
                    guint    n_uris,
                    Listed  *listed)
{
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func (g_object_unref);
  HostsOpen open = { n_uris, 0 };

  for (guint i = 0; i < n_uris; i++)
    {
      VmemConnection *connection = vmem_connection_new (uris[i]);

      g_ptr_array_add (connections, connection);
      vmem_connection_open_async (connection, NULL, hosts_opened, &open);
    }
  while (open.pending > 0)
    g_main_context_iteration (NULL, TRUE);

  memset (listed, 0, sizeof *listed);
  for (guint c = 0; c < connections->len; c++)
    {
      GListModel *domains = vmem_connection_get_domains (connections->pdata[c]);
      guint n = g_list_model_get_n_items (domains);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(VmemDomain) domain = g_list_model_get_item (domains, i);
          GListModel *devices = vmem_domain_get_memory_devices (domain);
          guint n_devices = g_list_model_get_n_items (devices);

          listed->properties += read_properties (G_OBJECT (domain));
          for (guint j = 0; j < n_devices; j++)
            {
              g_autoptr(GObject) device = g_list_model_get_item (devices, j);

              listed->properties += read_properties (device);
            }
          listed->devices += n_devices;
        }
      listed->domains += n;
      vmem_connection_close (connections->pdata[c]);
    }
}

static void
hosts_plain_event (virConnectPtr conn,
                   virDomainPtr  dom,
                   void         *opaque)
{
}

static void
hosts_plain_closed (virConnectPtr conn,
                    int           reason,
                    void         *opaque)
{
}

/* The library's calls to one host, made by plain libvirt: open,
 * keepalive, five event registrations and the close callback, every
 * domain with its state, each domain's XML (unparsed), then the
 * deregistrations and close. */
static gpointer
hosts_plain_thread (gpointer data)
{
  const char *uri = data;
  virConnectPtr conn = plain_open (uri);
  virDomainStatsRecordPtr *records = NULL;
  static const int events[] = {
    VIR_DOMAIN_EVENT_ID_LIFECYCLE,
    VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE,
    VIR_DOMAIN_EVENT_ID_DEVICE_ADDED,
    VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
    VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED,
  };
  int ids[G_N_ELEMENTS (events)];
  gsize bytes = 0;
  int n;

  virConnectSetKeepAlive (conn, 5, 3);
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    ids[i] = virConnectDomainEventRegisterAny (conn, NULL, events[i],
                                               VIR_DOMAIN_EVENT_CALLBACK (hosts_plain_event),
                                               NULL, NULL);
  virConnectRegisterCloseCallback (conn, hosts_plain_closed, NULL, NULL);
  n = virConnectGetAllDomainStats (conn, VIR_DOMAIN_STATS_STATE, &records, 0);
  if (n < 0)
    die ("cannot list the domains of %s: %s", uri, virGetLastErrorMessage ());
  for (int i = 0; i < n; i++)
    {
      char *xml = virDomainGetXMLDesc (records[i]->dom, 0);

      if (xml == NULL)
        die ("cannot read the XML of a domain: %s", virGetLastErrorMessage ());
      bytes += strlen (xml);
      free (xml);
    }
  virDomainStatsRecordListFree (records);
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    if (ids[i] >= 0)
      virConnectDomainEventDeregisterAny (conn, ids[i]);
  virConnectUnregisterCloseCallback (conn, hosts_plain_closed);
  virConnectClose (conn);

  return GSIZE_TO_POINTER ((gsize) n);
}

/* The same calls, one thread per host as the library's opens. */
static void
hosts_with_libvirt (char   **uris,
                    guint    n_uris,
                    Listed  *listed)
{
  GThread *threads[8];

  g_assert (n_uris <= G_N_ELEMENTS (threads));
  memset (listed, 0, sizeof *listed);
  for (guint i = 0; i < n_uris; i++)
    threads[i] = g_thread_new ("plain-host", hosts_plain_thread, uris[i]);
  for (guint i = 0; i < n_uris; i++)
    listed->domains += GPOINTER_TO_SIZE (g_thread_join (threads[i]));
}

static int
run_hosts (char  **uris,
           guint   n_uris,
           guint   reps)
{
  g_autoptr(GArray) library_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) libvirt_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GString) out = g_string_new ("{");
  Listed a, d;

  /* Once each, untimed. */
  hosts_with_library (uris, n_uris, &a);
  hosts_with_libvirt (uris, n_uris, &d);
  if (a.domains != d.domains)
    die ("the library listed %u domains, libvirt %u", a.domains, d.domains);
  progress ("hosts: %u hosts, %u domains, %u memory devices, %u properties read",
            n_uris, a.domains, a.devices, a.properties);

  for (guint rep = 0; rep < reps; rep++)
    for (guint k = 0; k < 2; k++)
      {
        gboolean library = (rep + k) % 2 == 0;
        gint64 t0 = now_ns (), t;

        if (library)
          hosts_with_library (uris, n_uris, &a);
        else
          hosts_with_libvirt (uris, n_uris, &d);
        t = now_ns () - t0;
        g_array_append_val (library ? library_ns : libvirt_ns, t);
      }

  g_string_append_printf (out, "\"hosts\": %u, \"domains\": %u, \"devices\": %u, \"properties\": %u, ",
                          n_uris, a.domains, a.devices, a.properties);
  append_samples (out, "library_ns", library_ns);
  g_string_append (out, ", ");
  append_samples (out, "libvirt_ns", libvirt_ns);
  g_string_append (out, "}");
  printf ("%s\n", out->str);
  return 0;
}

/* The main context's longest stall while a connection opens: a timeout
 * every millisecond notes the gaps between its dispatches, from
 * open_async() until open_finish() has filled the model. The baseline is
 * the same ticker on the idle context, for as long. */
typedef struct
{
  gint64 last_ns;
  gint64 max_gap_ns;
} Ticker;

static gboolean
ticker_tick (gpointer data)
{
  Ticker *ticker = data;
  gint64 t = now_ns ();

  if (ticker->last_ns != 0 && t - ticker->last_ns > ticker->max_gap_ns)
    ticker->max_gap_ns = t - ticker->last_ns;
  ticker->last_ns = t;
  return G_SOURCE_CONTINUE;
}

static gint64
ticker_run (const char *uri,
            gint64      idle_ns,
            gint64     *out_open_ns)
{
  Ticker ticker = { 0, 0 };
  guint id = g_timeout_add (1, ticker_tick, &ticker);
  gint64 t0 = now_ns ();

  if (uri != NULL)
    {
      g_autoptr(VmemConnection) connection = vmem_connection_new (uri);
      HostsOpen open = { 1, 0 };

      vmem_connection_open_async (connection, NULL, hosts_opened, &open);
      while (open.pending > 0)
        g_main_context_iteration (NULL, TRUE);
      *out_open_ns = now_ns () - t0;
      /* The dispatch that filled the model counts too. */
      ticker_tick (&ticker);
      vmem_connection_close (connection);
    }
  else
    {
      while (now_ns () - t0 < idle_ns)
        g_main_context_iteration (NULL, TRUE);
    }

  g_source_remove (id);
  return ticker.max_gap_ns;
}

static int
run_first_listing (const char *uri,
                   guint       reps)
{
  g_autoptr(GArray) open_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) stall_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) idle_stall_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) plain_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GString) out = g_string_new ("{");
  gint64 ignored;

  ticker_run (uri, 0, &ignored);
  for (guint rep = 0; rep < reps; rep++)
    {
      gint64 t, stall, idle, t0;

      stall = ticker_run (uri, 0, &t);
      g_array_append_val (open_ns, t);
      g_array_append_val (stall_ns, stall);
      idle = ticker_run (NULL, t, NULL);
      g_array_append_val (idle_stall_ns, idle);

      /* Plain libvirt's first listing: open, and every domain's state
       * and XML. */
      t0 = now_ns ();
      hosts_plain_thread ((gpointer) uri);
      t = now_ns () - t0;
      g_array_append_val (plain_ns, t);
    }

  append_samples (out, "open_ns", open_ns);
  g_string_append (out, ", ");
  append_samples (out, "plain_ns", plain_ns);
  g_string_append (out, ", ");
  append_samples (out, "stall_ns", stall_ns);
  g_string_append (out, ", ");
  append_samples (out, "idle_stall_ns", idle_stall_ns);
  g_string_append (out, "}");
  printf ("%s\n", out->str);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  setvbuf (stdout, NULL, _IOLBF, 0);

  if (argc == 4 && strcmp (argv[1], "enumerate") == 0)
    return run_enumerate (argv[2], parse_count (argv[3]));
  if (argc == 5 && strcmp (argv[1], "events") == 0)
    return run_events (EVENTS_STATE, argv[2], argv[3], parse_count (argv[4]));
  if (argc == 5 && strcmp (argv[1], "model") == 0)
    return run_events (EVENTS_MODEL, argv[2], argv[3], parse_count (argv[4]));
  if (argc == 6 && strcmp (argv[1], "resize") == 0)
    return run_resize (argv[2], argv[3], argv[4], parse_count (argv[5]));
  if (argc >= 5 && argc <= 11 && strcmp (argv[1], "hosts") == 0)
    return run_hosts (argv + 3, argc - 3, parse_count (argv[2]));
  if (argc == 4 && strcmp (argv[1], "first-listing") == 0)
    return run_first_listing (argv[2], parse_count (argv[3]));

  fprintf (stderr,
           "usage: %s enumerate URI REPS\n"
           "       %s events URI DOMAIN N\n"
           "       %s model URI XMLFILE N\n"
           "       %s resize URI DOMAIN ALIAS BLOCKS\n"
           "       %s hosts REPS URI URI...\n"
           "       %s first-listing URI REPS\n",
           argv[0], argv[0], argv[0], argv[0], argv[0], argv[0]);
  return 2;
}
