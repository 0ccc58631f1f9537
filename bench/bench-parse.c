/* bench-parse.c: domain XML to objects, against libxml2 on the same bytes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   bench-parse URI [ROUNDS] [FILE...]
 *
 * The documents are the live XML of every domain of URI (as
 * virDomainGetXMLDesc() gives it) and the FILEs, such as libvirt's own
 * memory-hotplug test data. Each round reads all of them, in turn:
 *
 *   library   vmem_domain_config_new_from_xml(): the memory view as
 *             objects, devices and all, then freed
 *   dom       xmlReadMemory(): libxml2 building its document tree, then
 *             freed; the baseline
 *   sax       libxml2's SAX2 parser with no handlers: parsing alone, the
 *             rate no tree-building reader can beat (for information)
 *   reader    xmlTextReader stepping through every node (for information)
 *
 * Rates are MB (10^6 bytes) of XML per second, the median of the rounds.
 */

#include <libvirt/libvirt.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <vmem.h>

#include "bench-util.h"

static guint64 sink;

static GPtrArray *
fetch_domains (const char *uri)
{
  GPtrArray *docs = g_ptr_array_new_with_free_func (g_free);
  virConnectPtr vconn = virConnectOpen (uri);
  virDomainPtr *doms = NULL;
  int n;

  if (vconn == NULL)
    g_error ("Cannot open %s", uri);
  n = virConnectListAllDomains (vconn, &doms, 0);
  for (int i = 0; i < n; i++)
    {
      char *xml = virDomainGetXMLDesc (doms[i], 0);

      g_ptr_array_add (docs, g_strdup (xml));
      free (xml);
      virDomainFree (doms[i]);
    }
  free (doms);
  virConnectClose (vconn);
  return docs;
}

static void
parse_library (GPtrArray *docs)
{
  for (guint i = 0; i < docs->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VmemDomainConfig) config = vmem_domain_config_new_from_xml (docs->pdata[i], &error);

      if (config == NULL)
        g_error ("Document %u: %s", i, error->message);
      sink += g_list_model_get_n_items (vmem_domain_config_get_memory_devices (config));
    }
}

static void
parse_dom (GPtrArray *docs)
{
  for (guint i = 0; i < docs->len; i++)
    {
      const char *xml = docs->pdata[i];
      xmlDocPtr doc = xmlReadMemory (xml, strlen (xml), NULL, NULL, XML_PARSE_NONET);

      if (doc == NULL)
        g_error ("libxml2 could not read document %u", i);
      sink += doc->children != NULL;
      xmlFreeDoc (doc);
    }
}

static void
parse_sax (GPtrArray *docs)
{
  xmlSAXHandler empty = { .initialized = XML_SAX2_MAGIC };

  for (guint i = 0; i < docs->len; i++)
    {
      const char *xml = docs->pdata[i];

      if (xmlSAXUserParseMemory (&empty, NULL, xml, strlen (xml)) != 0)
        g_error ("libxml2 could not parse document %u", i);
    }
}

static void
parse_reader (GPtrArray *docs)
{
  for (guint i = 0; i < docs->len; i++)
    {
      const char *xml = docs->pdata[i];
      xmlTextReaderPtr reader = xmlReaderForMemory (xml, strlen (xml), NULL, NULL, XML_PARSE_NONET);
      int ret;

      while ((ret = xmlTextReaderRead (reader)) == 1)
        sink += xmlTextReaderNodeType (reader);
      if (ret != 0)
        g_error ("libxml2's reader could not read document %u", i);
      xmlFreeTextReader (reader);
    }
}

typedef void (*ParseFunc) (GPtrArray *docs);

int
main (int   argc,
      char *argv[])
{
  static const struct {
    const char *name;
    ParseFunc   func;
  } methods[] = {
    { "library", parse_library },
    { "dom", parse_dom },
    { "sax", parse_sax },
    { "reader", parse_reader },
  };
  enum { LIBRARY, DOM, SAX, READER, N_METHODS };
  g_autoptr(GPtrArray) docs = NULL;
  g_autofree char *detail = NULL;
  double *times[N_METHODS];
  double rate[N_METHODS];
  guint rounds, n_domains, n_files = 0;
  gsize bytes = 0;

  if (argc < 2)
    {
      g_printerr ("usage: %s URI [ROUNDS] [FILE...]\n", argv[0]);
      return 2;
    }
  rounds = argc >= 3 ? (guint) atoi (argv[2]) : 7;
  if (rounds == 0)
    rounds = 1;

  xmlInitParser ();
  docs = fetch_domains (argv[1]);
  n_domains = docs->len;
  for (int i = 3; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      char *contents;

      if (!g_file_get_contents (argv[i], &contents, NULL, &error))
        g_error ("%s", error->message);
      g_ptr_array_add (docs, contents);
      n_files++;
    }
  for (guint i = 0; i < docs->len; i++)
    bytes += strlen (docs->pdata[i]);

  /* Unmeasured: types registered, libxml2 initialised, caches warm. */
  for (guint m = 0; m < N_METHODS; m++)
    methods[m].func (docs);

  for (guint m = 0; m < N_METHODS; m++)
    times[m] = g_new (double, rounds);

  for (guint r = 0; r < rounds; r++)
    {
      g_print ("parse: round %u:", r + 1);
      for (guint m = 0; m < N_METHODS; m++)
        {
          double t0 = bench_now ();

          methods[m].func (docs);
          times[m][r] = bench_now () - t0;
          g_print (" %s %.1f MB/s", methods[m].name, bytes / 1e6 / times[m][r]);
        }
      g_print ("\n");
    }

  for (guint m = 0; m < N_METHODS; m++)
    {
      rate[m] = bytes / 1e6 / bench_median (times[m], rounds);
      g_free (times[m]);
    }

  detail = g_strdup_printf ("vmem_domain_config_new_from_xml() against xmlReadMemory() "
                            "building the DOM; %u domains of the test driver and %u corpus "
                            "files, %.2f MB, median of %u interleaved rounds",
                            n_domains, n_files, bytes / 1e6, rounds);
  bench_result ("parse library/dom", rate[LIBRARY], "MB/s", rate[DOM], ">= 1.0", FALSE, detail);

  g_clear_pointer (&detail, g_free);
  detail = g_strdup_printf ("libxml2's SAX2 parser with no handlers, no tree built, "
                            "against xmlReadMemory(); for information");
  bench_result ("parse sax-empty/dom", rate[SAX], "MB/s", rate[DOM], NULL, FALSE, detail);

  g_clear_pointer (&detail, g_free);
  detail = g_strdup_printf ("xmlTextReader stepping through every node, against "
                            "xmlReadMemory(); for information");
  bench_result ("parse xmlreader/dom", rate[READER], "MB/s", rate[DOM], NULL, FALSE, detail);

  return sink == 42 ? 3 : 0;
}
