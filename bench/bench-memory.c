/* bench-memory.c: resident memory of devices and of live domains held as
 * objects
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   bench-memory [N-DEVICES [DOMAINS.xml]]
 *
 * Memory per device: reads N devices (100,000 by default) of mixed models,
 * each with a source, a target, an alias and an address as libvirt writes
 * them for a running guest, with vmem_memory_device_new_from_xml(), and
 * holds them all. The baseline is libxml2's document tree of the same XML,
 * held the same way.
 *
 * Memory per live domain, with DOMAINS.xml (gen-domains.py's: realistic
 * guests of four memory devices each, virtio-mem, dimm, nvdimm and
 * virtio-pmem): its domains are defined and started on test:///default
 * (see bench-domains.h), then a connection is opened, which holds every
 * domain in its model, as an application that shows them all holds them:
 * every property of every domain and device read once. The baseline is
 * what a plain libvirt program keeps for the same: each domain's handle
 * (virDomainPtr) and its XML (virDomainGetXMLDesc()) as a libxml2 tree.
 * The domains' definitions are the driver's, there before either side
 * starts, and not counted.
 *
 * The cost of an item is the growth of the resident set (/proc/self/statm)
 * divided by the number of items, both sides measured after
 * malloc_trim(0), so that memory malloc has freed but kept (the parser's
 * buffers, what libvirt formatted) does not count, and after one round
 * unmeasured, so that what is made once (types, threads and their stacks,
 * libvirt's and libxml2's first-use state) does not count either. Each is
 * measured in a child process of its own, so that neither inherits the
 * other's heap.
 */

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <vmem.h>

#include "bench-domains.h"

/* The device XML, varied a little from one device to the next. Addresses
 * follow gen-domains.py's layout: DIMMs from 4 GiB, virtio-mem regions from
 * 256 GiB, none overlapping another. */
static void
device_xml (GString *out,
            guint    k)
{
  guint slot = k % 200;

  g_string_truncate (out, 0);
  switch (k % 4)
    {
    case 0:
      g_string_append_printf (out,
        "<memory model='virtio-mem'>\n"
        "  <source>\n"
        "    <nodemask>0-1</nodemask>\n"
        "    <pagesize unit='KiB'>2048</pagesize>\n"
        "  </source>\n"
        "  <target>\n"
        "    <size unit='KiB'>4194304</size>\n"
        "    <node>%u</node>\n"
        "    <block unit='KiB'>2048</block>\n"
        "    <requested unit='KiB'>%u</requested>\n"
        "    <current unit='KiB'>%u</current>\n"
        "    <address base='0x%" G_GINT64_MODIFIER "x'/>\n"
        "  </target>\n"
        "  <alias name='virtiomem%u'/>\n"
        "  <address type='pci' domain='0x0000' bus='0x00' slot='0x%02x' function='0x0'/>\n"
        "</memory>\n",
        k % 2, 1048576 + 2048 * (k % 64), 1048576, G_GUINT64_CONSTANT (0x4000000000) + slot * G_GUINT64_CONSTANT (0x100000000),
        k, 8 + slot % 24);
      break;
    case 1:
      g_string_append_printf (out,
        "<memory model='dimm' discard='yes'>\n"
        "  <source>\n"
        "    <pagesize unit='KiB'>2048</pagesize>\n"
        "  </source>\n"
        "  <target>\n"
        "    <size unit='KiB'>1048576</size>\n"
        "    <node>%u</node>\n"
        "  </target>\n"
        "  <alias name='dimm%u'/>\n"
        "  <address type='dimm' slot='%u' base='0x%" G_GINT64_MODIFIER "x'/>\n"
        "</memory>\n",
        k % 2, k, slot, G_GUINT64_CONSTANT (0x100000000) + slot * G_GUINT64_CONSTANT (0x40000000));
      break;
    case 2:
      g_string_append_printf (out,
        "<memory model='nvdimm' access='shared'>\n"
        "  <source>\n"
        "    <path>/var/lib/libvirt/nvdimm/guest%u.img</path>\n"
        "    <alignsize unit='KiB'>2048</alignsize>\n"
        "    <pmem/>\n"
        "  </source>\n"
        "  <target>\n"
        "    <size unit='KiB'>524288</size>\n"
        "    <node>%u</node>\n"
        "    <label>\n"
        "      <size unit='KiB'>128</size>\n"
        "    </label>\n"
        "  </target>\n"
        "  <alias name='nvdimm%u'/>\n"
        "  <address type='dimm' slot='%u'/>\n"
        "</memory>\n",
        k, k % 2, k, slot);
      break;
    default:
      g_string_append_printf (out,
        "<memory model='virtio-pmem' access='shared'>\n"
        "  <source>\n"
        "    <path>/var/lib/libvirt/pmem/guest%u.img</path>\n"
        "  </source>\n"
        "  <target>\n"
        "    <size unit='KiB'>524288</size>\n"
        "  </target>\n"
        "  <alias name='virtiopmem%u'/>\n"
        "  <address type='pci' domain='0x0000' bus='0x00' slot='0x%02x' function='0x0'/>\n"
        "</memory>\n",
        k, k, 8 + slot % 24);
    }
}

static gsize
resident_bytes (void)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0, resident = 0;

  malloc_trim (0);
  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL) ||
      sscanf (statm, "%lu %lu", &size, &resident) != 2)
    g_error ("Cannot read /proc/self/statm");
  return resident * (gsize) sysconf (_SC_PAGESIZE);
}

static gpointer
read_library (const char *xml)
{
  g_autoptr(GError) error = NULL;
  VmemMemoryDevice *device = vmem_memory_device_new_from_xml (xml, &error);

  if (device == NULL)
    g_error ("%s", error->message);
  return device;
}

static gpointer
read_dom (const char *xml)
{
  xmlDocPtr doc = xmlReadMemory (xml, strlen (xml), NULL, NULL, XML_PARSE_NONET);

  if (doc == NULL)
    g_error ("libxml2 could not read a device");
  return doc;
}

typedef gpointer (*ReadFunc) (const char *xml);

/* The bytes per device held, and the bytes of XML read. */
static double
hold_devices (ReadFunc  reader,
              guint     n,
              gsize    *out_xml_bytes)
{
  g_autoptr(GString) xml = g_string_new (NULL);
  gpointer *held = g_new (gpointer, n);
  gsize before, after;

  /* One device read and kept first: types, libxml2 and the allocator
   * warmed, so only the devices' own memory is counted. */
  device_xml (xml, n);
  reader (xml->str);

  *out_xml_bytes = 0;
  before = resident_bytes ();
  for (guint k = 0; k < n; k++)
    {
      device_xml (xml, k);
      *out_xml_bytes += xml->len;
      held[k] = reader (xml->str);
    }
  after = resident_bytes ();

  /* Held until the child exits. */
  g_assert (held[n - 1] != NULL);
  return ((double) after - (double) before) / n;
}

static void
read_properties (GObject *object)
{
  guint n_pspecs;
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
    }
}

/* Opens a connection to test:///default and reads every property of
 * every domain and device of its model. */
static VmemConnection *
open_library (guint *out_domains)
{
  g_autoptr(GError) error = NULL;
  VmemConnection *conn = vmem_connection_new (BENCH_DEFAULT_URI);
  GListModel *domains;
  guint n;

  if (!vmem_connection_open (conn, NULL, &error))
    g_error ("Cannot open %s: %s", BENCH_DEFAULT_URI, error->message);

  domains = vmem_connection_get_domains (conn);
  n = g_list_model_get_n_items (domains);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VmemDomain) domain = g_list_model_get_item (domains, i);
      GListModel *devices = vmem_domain_get_memory_devices (domain);
      guint n_devices = g_list_model_get_n_items (devices);

      read_properties (G_OBJECT (domain));
      for (guint k = 0; k < n_devices; k++)
        {
          g_autoptr(GObject) device = g_list_model_get_item (devices, k);

          read_properties (device);
        }
    }

  *out_domains = n;
  return conn;
}

typedef struct
{
  virConnectPtr  vconn;
  virDomainPtr  *doms;
  xmlDocPtr     *docs;
  int            n;
} Trees;

/* The plain way: every domain's handle and its XML as a libxml2 tree. */
static Trees *
open_dom (gsize *out_xml_bytes)
{
  Trees *trees = g_new0 (Trees, 1);

  trees->vconn = virConnectOpen (BENCH_DEFAULT_URI);
  if (trees->vconn == NULL)
    g_error ("Cannot open %s", BENCH_DEFAULT_URI);
  trees->n = virConnectListAllDomains (trees->vconn, &trees->doms, 0);
  if (trees->n < 0)
    g_error ("virConnectListAllDomains failed");

  *out_xml_bytes = 0;
  trees->docs = g_new (xmlDocPtr, trees->n);
  for (int i = 0; i < trees->n; i++)
    {
      char *xml = virDomainGetXMLDesc (trees->doms[i], 0);

      if (xml == NULL)
        g_error ("virDomainGetXMLDesc failed");
      *out_xml_bytes += strlen (xml);
      trees->docs[i] = xmlReadMemory (xml, strlen (xml), NULL, NULL, XML_PARSE_NONET);
      if (trees->docs[i] == NULL)
        g_error ("libxml2 could not read a domain");
      free (xml);
    }

  return trees;
}

static void
trees_free (Trees *trees)
{
  for (int i = 0; i < trees->n; i++)
    {
      xmlFreeDoc (trees->docs[i]);
      virDomainFree (trees->doms[i]);
    }
  free (trees->doms);
  g_free (trees->docs);
  virConnectClose (trees->vconn);
  g_free (trees);
}

/* The bytes per live domain held, and the bytes of XML read. */
static double
hold_domains (gboolean    library,
              const char *path,
              guint      *out_n,
              gsize      *out_xml_bytes)
{
  g_autoptr(GPtrArray) xmls = bench_domain_xmls (path);
  virConnectPtr holder = bench_default_driver ();
  gsize before, after;
  guint n = 0;

  /* A round of the first three domains unmeasured: types, threads and
   * libraries warmed (the library reads more than two domains on a
   * thread), so that only the domains' own memory is counted. A round of
   * them all would leave the allocator holding what the measured round
   * then reuses. */
  bench_define_domains (holder, xmls, 0, 3);
  if (library)
    {
      g_autoptr(VmemConnection) conn = open_library (&n);

      vmem_connection_close (conn);
    }
  else
    trees_free (open_dom (out_xml_bytes));
  bench_define_domains (holder, xmls, 3, xmls->len);

  before = resident_bytes ();
  if (library)
    {
      VmemConnection *conn = open_library (&n);

      /* Held until the child exits. */
      g_assert (vmem_connection_is_open (conn));
    }
  else
    n = open_dom (out_xml_bytes)->n;
  after = resident_bytes ();

  if (n != xmls->len)
    g_error ("%u domains read of %u", n, xmls->len);
  *out_n = n;
  return ((double) after - (double) before) / n;
}

typedef enum {
  DEVICES_LIBRARY,
  DEVICES_DOM,
  DOMAINS_LIBRARY,
  DOMAINS_DOM,
} Held;

typedef struct
{
  double per_item;
  gsize  xml_bytes;     /* read in the measured round */
  guint  n;
} Measured;

/* In a child: what @held costs, written to @fd. */
static void
measure (Held        held,
         guint       n,
         const char *path,
         int         fd)
{
  Measured m = { 0, 0, n };

  switch (held)
    {
    case DEVICES_LIBRARY:
      m.per_item = hold_devices (read_library, n, &m.xml_bytes);
      break;
    case DEVICES_DOM:
      m.per_item = hold_devices (read_dom, n, &m.xml_bytes);
      break;
    case DOMAINS_LIBRARY:
    case DOMAINS_DOM:
      m.per_item = hold_domains (held == DOMAINS_LIBRARY, path, &m.n, &m.xml_bytes);
      break;
    default:
      g_assert_not_reached ();
    }

  if (write (fd, &m, sizeof m) != sizeof m)
    _exit (1);
  _exit (0);
}

static gboolean
read_all (int      fd,
          gpointer buf,
          gsize    len)
{
  while (len > 0)
    {
      ssize_t got = read (fd, buf, len);

      if (got <= 0)
        return FALSE;
      buf = (char *) buf + got;
      len -= got;
    }
  return TRUE;
}

static Measured
measure_in_child (Held        held,
                  guint       n,
                  const char *path)
{
  Measured m;
  int fds[2], status;
  pid_t pid;

  if (pipe (fds) < 0)
    g_error ("pipe failed");
  fflush (stdout);
  pid = fork ();
  if (pid < 0)
    g_error ("fork failed");
  if (pid == 0)
    {
      close (fds[0]);
      measure (held, n, path, fds[1]);
    }

  close (fds[1]);
  if (!read_all (fds[0], &m, sizeof m))
    g_error ("The measuring child failed");
  close (fds[0]);
  if (waitpid (pid, &status, 0) < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("The measuring child failed");
  return m;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *detail = NULL;
  Measured library, dom;
  guint n;

  if (argc > 3)
    {
      g_printerr ("usage: %s [N-DEVICES [DOMAINS.xml]]\n", argv[0]);
      return 2;
    }
  n = argc >= 2 ? (guint) atoi (argv[1]) : 100000;
  if (n == 0)
    n = 1;

  xmlInitParser ();
  /* The types, registered before the children fork. */
  g_type_ensure (VMEM_TYPE_VIRTIO_MEM);

  library = measure_in_child (DEVICES_LIBRARY, n, NULL);
  g_print ("memory: library %.0f bytes a device\n", library.per_item);
  dom = measure_in_child (DEVICES_DOM, n, NULL);
  g_print ("memory: libxml2 DOM %.0f bytes a device\n", dom.per_item);

  detail = g_strdup_printf ("resident set growth over %u devices of 4 models held as "
                            "objects (vmem_memory_device_new_from_xml), after malloc_trim(0) "
                            "on both sides; baseline: libxml2's document trees of the same "
                            "XML (%.0f bytes a device); target on the value, 1 KiB",
                            n, (double) dom.xml_bytes / n);
  bench_result ("memory per device", library.per_item, "B", dom.per_item, "<= 1024", TRUE,
                detail);

  if (argc < 3)
    return 0;

  library = measure_in_child (DOMAINS_LIBRARY, 0, argv[2]);
  g_print ("memory: library %.0f bytes a live domain\n", library.per_item);
  dom = measure_in_child (DOMAINS_DOM, 0, argv[2]);
  g_print ("memory: handle + libxml2 DOM %.0f bytes a domain\n", dom.per_item);

  g_free (detail);
  detail = g_strdup_printf ("resident set growth over %u running domains of 4 memory devices "
                            "(virtio-mem, dimm, nvdimm, virtio-pmem) on %s, held in an open "
                            "connection's model with every property read, after "
                            "malloc_trim(0) on both sides; baseline: each domain's "
                            "virDomainPtr and its XML (%.0f bytes a domain) as a libxml2 "
                            "tree; target on the value, 5 KiB, about the size of the "
                            "domain's XML text",
                            library.n, BENCH_DEFAULT_URI, (double) dom.xml_bytes / dom.n);
  bench_result ("memory per live domain", library.per_item, "B", dom.per_item, "<= 5120", TRUE,
                detail);
  return 0;
}
