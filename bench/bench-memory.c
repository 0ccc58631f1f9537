/* bench-memory.c: resident memory of parsed devices held as objects
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   bench-memory [N-DEVICES]
 *
 * Reads N devices (100,000 by default) of mixed models, each with a
 * source, a target, an alias and an address as libvirt writes them for a
 * running guest, with vmem_memory_device_new_from_xml(), and holds them
 * all. The cost of a device is the growth of the resident set
 * (/proc/self/statm) divided by N, both sides measured after
 * malloc_trim(0), so that memory malloc has freed but kept (the parser's
 * buffers) does not count. The baseline is libxml2's document tree of
 * the same XML, held the same way. Each is measured in a child process
 * of its own, so that neither inherits the other's heap.
 */

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <vmem.h>

#include "bench-util.h"

/* The device XML, varied a little from one device to the next. */
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
        k % 2, 1048576 + 2048 * (k % 64), 1048576, G_GUINT64_CONSTANT (0x140000000) + slot * G_GUINT64_CONSTANT (0x100000000),
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

/* In a child: the bytes per device held, and the bytes of XML read,
 * written to @fd. */
static void
measure (ReadFunc reader,
         guint    n,
         int      fd)
{
  g_autoptr(GString) xml = g_string_new (NULL);
  gpointer *held = g_new (gpointer, n);
  gsize before, after, xml_bytes = 0;
  double per_device;

  /* One device read and kept first: types, libxml2 and the allocator
   * warmed, so only the devices' own memory is counted. */
  device_xml (xml, n);
  reader (xml->str);

  before = resident_bytes ();
  for (guint k = 0; k < n; k++)
    {
      device_xml (xml, k);
      xml_bytes += xml->len;
      held[k] = reader (xml->str);
    }
  after = resident_bytes ();

  per_device = ((double) after - (double) before) / n;
  if (write (fd, &per_device, sizeof per_device) != sizeof per_device ||
      write (fd, &xml_bytes, sizeof xml_bytes) != sizeof xml_bytes)
    _exit (1);
  _exit (held != NULL ? 0 : 1);
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

static double
measure_in_child (ReadFunc reader,
                  guint    n,
                  gsize   *out_xml_bytes)
{
  double per_device;
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
      measure (reader, n, fds[1]);
    }

  close (fds[1]);
  if (!read_all (fds[0], &per_device, sizeof per_device) ||
      !read_all (fds[0], out_xml_bytes, sizeof *out_xml_bytes))
    g_error ("The measuring child failed");
  close (fds[0]);
  if (waitpid (pid, &status, 0) < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("The measuring child failed");
  return per_device;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *detail = NULL;
  double library, dom;
  gsize xml_bytes;
  guint n;

  n = argc >= 2 ? (guint) atoi (argv[1]) : 100000;
  if (n == 0)
    n = 1;

  xmlInitParser ();
  /* The types, registered before the children fork. */
  g_type_ensure (VMEM_TYPE_VIRTIO_MEM);

  library = measure_in_child (read_library, n, &xml_bytes);
  g_print ("memory: library %.0f bytes a device\n", library);
  dom = measure_in_child (read_dom, n, &xml_bytes);
  g_print ("memory: libxml2 DOM %.0f bytes a device\n", dom);

  detail = g_strdup_printf ("resident set growth over %u devices of 4 models held as "
                            "objects (vmem_memory_device_new_from_xml), after malloc_trim(0) "
                            "on both sides; baseline: libxml2's document trees of the same "
                            "XML (%.0f bytes a device); target on the value, 1 KiB",
                            n, (double) xml_bytes / n);
  bench_result ("memory per device", library, "B", dom, "<= 1024", TRUE, detail);
  return 0;
}
