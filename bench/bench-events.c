/* bench-events.c: from a lifecycle event to the model's items-changed,
 * against the same with plain libvirt
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   bench-events DOMAINS.xml [N-EVENTS]
 *
 * On test:///default (see bench-domains.h), beside 50 running domains of
 * DOMAINS.xml, a thread defines and undefines the file's first domain (a
 * guest of four memory devices, 4.9 KB of XML) N times in all (1,000 by
 * default) on a plain connection, each time waiting for the event's
 * handler before the next: one event in flight at a time. Each event is
 * timed from the moment libvirt calls its first callback, a stopwatch
 * registered on that plain connection before any other, to the end of
 * the handler on the main loop:
 *
 *   library   a handler of the items-changed of
 *             vmem_connection_get_domains(). Between the two, the library
 *             takes the event to a worker thread, which reads the domain
 *             (virDomainGetXMLDesc() and parsing; the state comes from the
 *             event, or for a definition from the XML), and
 *             the read to the main loop, which makes the domain's objects
 *             and adds it to the model. An undefined domain's read fails;
 *             the worker asks libvirt whether it is gone, and the main
 *             loop removes it.
 *   plain     the stopwatch itself posts an idle to the main loop, as the
 *             library posts its reads, and the idle is the handler: it
 *             reads a defined domain's XML with virDomainGetXMLDesc() and
 *             parses it with libxml2 (xmlReadMemory()), the least a program
 *             that shows the new domain must do; for an undefined domain it
 *             does nothing, the event says all.
 *
 * The two take turns by blocks of 10 events, each alone in the process
 * during its block (the library's connection is closed in the plain
 * blocks): two handlers of one event would have the second ride on the
 * first's wake-up of the main loop. Each side first handles two events
 * unmeasured (the worker thread started, caches warm). Prints the
 * figures of defined domains, with those of undefined ones in the detail.
 */

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <vmem.h>

#include "bench-domains.h"

/* Events a block, and domains beside the one defined and undefined. */
#define EVENTS_BLOCK 10
#define N_BESIDE 50

typedef struct
{
  virConnectPtr  vconn;         /* the plain connection */
  const char    *xml;           /* of the domain defined and undefined */
  virDomainPtr   dom;           /* while it is defined */

  /* The block under way: set before its thread starts. */
  gboolean       library;
  guint          n;
  GArray        *defined_ns;    /* where its samples go */
  GArray        *undefined_ns;

  gint64         called_ns;     /* when libvirt called the stopwatch */
  gboolean       defining;      /* the event in flight */

  GMutex         lock;
  GCond          cond;
  guint          seen;          /* events handled in the block */
  gboolean       failed;
  GMainLoop     *loop;
} Bench;

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static void
seen (Bench    *bench,
      gboolean  defined,
      gint64    latency)
{
  g_mutex_lock (&bench->lock);
  g_array_append_val (defined ? bench->defined_ns : bench->undefined_ns, latency);
  bench->seen++;
  g_cond_signal (&bench->cond);
  g_mutex_unlock (&bench->lock);
}

static void
fail (Bench      *bench,
      const char *what)
{
  g_printerr ("events: %s\n", what);
  g_mutex_lock (&bench->lock);
  bench->failed = TRUE;
  g_cond_signal (&bench->cond);
  g_mutex_unlock (&bench->lock);
}

/* The library's handler. */
static void
library_items_changed (GListModel *model,
                       guint       position,
                       guint       removed,
                       guint       added,
                       gpointer    user_data)
{
  gint64 t = now_ns ();
  Bench *bench = user_data;
  gboolean defining = __atomic_load_n (&bench->defining, __ATOMIC_SEQ_CST);

  if (defining ? added != 1 || removed != 0 : added != 0 || removed != 1)
    {
      fail (bench, "the model changed otherwise than the event said");
      return;
    }
  seen (bench, defining, t - __atomic_load_n (&bench->called_ns, __ATOMIC_SEQ_CST));
}

/* The plain handler. */
typedef struct
{
  Bench        *bench;
  virDomainPtr  dom;            /* defined; NULL for undefined */
  gint64        called_ns;
} Plain;

static gboolean
plain_dispatch (gpointer data)
{
  Plain *plain = data;
  gint64 t;

  if (plain->dom != NULL)
    {
      char *xml = virDomainGetXMLDesc (plain->dom, 0);
      xmlDocPtr doc = xml != NULL ? xmlReadMemory (xml, strlen (xml), NULL, NULL,
                                                   XML_PARSE_NONET)
                                  : NULL;

      t = now_ns ();
      if (doc == NULL)
        fail (plain->bench, "the plain handler could not read the domain");
      else
        seen (plain->bench, TRUE, t - plain->called_ns);
      xmlFreeDoc (doc);
      free (xml);
    }
  else
    {
      t = now_ns ();
      seen (plain->bench, FALSE, t - plain->called_ns);
    }

  return G_SOURCE_REMOVE;
}

static void
plain_free (gpointer data)
{
  Plain *plain = data;

  if (plain->dom != NULL)
    virDomainFree (plain->dom);
  g_free (plain);
}

/* Called by libvirt before any other callback of the event. */
static int
stopwatch_lifecycle (virConnectPtr  conn,
                     virDomainPtr   dom,
                     int            event,
                     int            detail,
                     void          *opaque)
{
  gint64 t = now_ns ();
  Bench *bench = opaque;
  Plain *plain;
  GSource *source;

  if (event != VIR_DOMAIN_EVENT_DEFINED && event != VIR_DOMAIN_EVENT_UNDEFINED)
    return 0;

  __atomic_store_n (&bench->called_ns, t, __ATOMIC_SEQ_CST);
  if (bench->library)
    return 0;

  plain = g_new0 (Plain, 1);
  plain->bench = bench;
  plain->called_ns = t;
  if (event == VIR_DOMAIN_EVENT_DEFINED)
    {
      virDomainRef (dom);
      plain->dom = dom;
    }
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, plain_dispatch, plain, plain_free);
  g_source_attach (source, NULL);
  g_source_unref (source);
  return 0;
}

static gboolean
quit (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* Defines and undefines the domain, waiting for each event's handler. */
static gpointer
drive (gpointer data)
{
  Bench *bench = data;

  for (guint i = 0; i < bench->n && !bench->failed; i++)
    {
      gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
      gboolean defining = bench->dom == NULL;
      int rc;

      __atomic_store_n (&bench->defining, defining, __ATOMIC_SEQ_CST);
      if (defining)
        {
          bench->dom = virDomainDefineXML (bench->vconn, bench->xml);
          rc = bench->dom != NULL ? 0 : -1;
        }
      else
        {
          rc = virDomainUndefine (bench->dom);
          g_clear_pointer (&bench->dom, virDomainFree);
        }
      if (rc < 0)
        {
          g_printerr ("events: %s failed: %s\n", defining ? "define" : "undefine",
                      virGetLastErrorMessage ());
          fail (bench, "libvirt refused");
          break;
        }

      g_mutex_lock (&bench->lock);
      while (bench->seen < i + 1 && !bench->failed)
        if (!g_cond_wait_until (&bench->cond, &bench->lock, deadline))
          {
            g_printerr ("events: no handler within 10 s of event %u\n", i);
            bench->failed = TRUE;
          }
      g_mutex_unlock (&bench->lock);
    }

  g_main_context_invoke (NULL, quit, bench->loop);
  return NULL;
}

/* @n events, an even number: the domain is undefined before and after. */
static void
run_block (Bench    *bench,
           gboolean  library,
           guint     n,
           GArray   *defined_ns,
           GArray   *undefined_ns)
{
  g_autoptr(VmemConnection) conn = NULL;
  GThread *thread;

  if (library)
    {
      g_autoptr(GError) error = NULL;

      conn = vmem_connection_new (BENCH_DEFAULT_URI);
      if (!vmem_connection_open (conn, NULL, &error))
        g_error ("Cannot open %s: %s", BENCH_DEFAULT_URI, error->message);
      g_signal_connect (vmem_connection_get_domains (conn), "items-changed",
                        G_CALLBACK (library_items_changed), bench);
    }

  bench->library = library;
  bench->n = n;
  bench->defined_ns = defined_ns;
  bench->undefined_ns = undefined_ns;
  bench->seen = 0;
  thread = g_thread_new ("events-driver", drive, bench);
  g_main_loop_run (bench->loop);
  g_thread_join (thread);

  if (library)
    {
      g_signal_handlers_disconnect_by_data (vmem_connection_get_domains (conn), bench);
      vmem_connection_close (conn);
    }
}

static void
percentiles (GArray *ns,
             double *p50,
             double *p99)
{
  g_autofree double *us = g_new (double, ns->len);

  for (guint i = 0; i < ns->len; i++)
    us[i] = g_array_index (ns, gint64, i) / 1e3;
  *p50 = bench_percentile (us, ns->len, 50);
  *p99 = bench_percentile (us, ns->len, 99);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) xmls = NULL;
  g_autoptr(GArray) lib_defined = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) lib_undefined = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) plain_defined = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) plain_undefined = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) warm = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *detail = NULL;
  Bench bench = { NULL, };
  double lib50, lib99, plain50, plain99, ulib50, ulib99, uplain50, uplain99;
  guint n, n_beside;
  int id;

  if (argc < 2 || argc > 3)
    {
      g_printerr ("usage: %s DOMAINS.xml [N-EVENTS]\n", argv[0]);
      return 2;
    }
  n = argc == 3 ? (guint) atoi (argv[2]) : 1000;
  n = MAX (2 * EVENTS_BLOCK, n - n % (2 * EVENTS_BLOCK));

  xmls = bench_domain_xmls (argv[1]);
  n_beside = MIN (N_BESIDE, xmls->len - 1);
  bench.vconn = bench_default_driver ();
  bench.xml = xmls->pdata[0];
  bench_define_domains (bench.vconn, xmls, 1, 1 + n_beside);

  /* The library registers libvirt's event loop when it first opens; the
   * stopwatch, registered next, is called first for every event. */
  {
    g_autoptr(VmemConnection) conn = vmem_connection_new (BENCH_DEFAULT_URI);

    if (!vmem_connection_open (conn, NULL, NULL))
      g_error ("Cannot open %s", BENCH_DEFAULT_URI);
    vmem_connection_close (conn);
  }
  id = virConnectDomainEventRegisterAny (bench.vconn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         VIR_DOMAIN_EVENT_CALLBACK (stopwatch_lifecycle),
                                         &bench, NULL);
  if (id < 0)
    g_error ("Cannot register the stopwatch: %s", virGetLastErrorMessage ());

  g_mutex_init (&bench.lock);
  g_cond_init (&bench.cond);
  bench.loop = g_main_loop_new (NULL, FALSE);

  run_block (&bench, TRUE, 2, warm, warm);
  run_block (&bench, FALSE, 2, warm, warm);
  for (guint first = 0; first < n && !bench.failed; first += EVENTS_BLOCK)
    {
      gboolean library = (first / EVENTS_BLOCK) % 2 == 0;

      run_block (&bench, library, EVENTS_BLOCK,
                 library ? lib_defined : plain_defined,
                 library ? lib_undefined : plain_undefined);
    }
  if (bench.failed)
    g_error ("The events did not all come");

  virConnectDomainEventDeregisterAny (bench.vconn, id);
  virConnectClose (bench.vconn);
  g_main_loop_unref (bench.loop);
  g_mutex_clear (&bench.lock);
  g_cond_clear (&bench.cond);

  percentiles (lib_defined, &lib50, &lib99);
  percentiles (plain_defined, &plain50, &plain99);
  percentiles (lib_undefined, &ulib50, &ulib99);
  percentiles (plain_undefined, &uplain50, &uplain99);
  g_print ("events: defined: library p50 %.0f us, p99 %.0f us; plain p50 %.0f us, p99 %.0f us\n",
           lib50, lib99, plain50, plain99);
  g_print ("events: undefined: library p50 %.0f us, p99 %.0f us; plain p50 %.0f us, p99 %.0f us\n",
           ulib50, ulib99, uplain50, uplain99);

  detail = g_strdup_printf ("a domain of 4 memory devices defined on %s beside %u running "
                            "ones: from libvirt calling the event's first callback to the "
                            "handler of the library's items-changed, the domain read (one "
                            "virDomainGetXMLDesc, the state from the event) and in the "
                            "model, against a plain callback whose idle on the main loop "
                            "reads the XML and parses it with libxml2; %u events each side, "
                            "by blocks of %u alternating; target on the ratio for the "
                            "median, on the value for the tail. Undefined (the event to the "
                            "removal, the library asking libvirt whether the domain is "
                            "gone, the plain idle doing nothing): library p50 %.0f us, "
                            "p99 %.0f us, plain p50 %.0f us, p99 %.0f us",
                            BENCH_DEFAULT_URI, n_beside, lib_defined->len, EVENTS_BLOCK,
                            ulib50, ulib99, uplain50, uplain99);
  /* The median: no later than an application reading the domain itself;
   * the tail, on the value: within a millisecond. */
  bench_result ("lifecycle event to items-changed p50", lib50, "us", plain50, "<= 1.2", FALSE,
                detail);
  bench_result ("lifecycle event to items-changed p99", lib99, "us", plain99, "<= 1000", TRUE,
                detail);
  return 0;
}
