/* bench-enumerate.c: open a connection and read every memory device of
 * every domain, against raw libvirt
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   bench-enumerate DOMAINS.xml [ROUNDS]
 *
 * The domains of DOMAINS.xml (gen-domains.py's) are defined and started on
 * test:///default (see bench-domains.h), whose connections share them.
 * Each round opens a fresh connection on each side and times, from the
 * open to the close:
 *
 *   library   vmem_connection_open(), which reads every domain into the
 *             connection's model, then every getter of every device of
 *             every domain of vmem_connection_get_domains(), then
 *             vmem_connection_close()
 *   libvirt   virConnectOpen(), virConnectListAllDomains() and
 *             virDomainGetXMLDesc() of each domain, the XML freed unread,
 *             then virConnectClose(): the least any program that lists
 *             devices must do, and the floor of the ratio
 *
 * The two alternate round by round and the medians are compared.
 */

#include <libvirt/libvirt.h>
#include <vmem.h>

#include "bench-domains.h"

static guint64 sink;

static void
sink_str (const char *s)
{
  sink += s != NULL ? strlen (s) : 1;
}

static void
read_device (VmemMemoryDevice *device)
{
  const VmemDeviceAddress *address;

  sink += vmem_memory_device_get_model (device);
  sink_str (vmem_memory_device_get_alias (device));
  sink += vmem_memory_device_get_size (device);
  sink += vmem_memory_device_get_node (device);
  sink += vmem_memory_device_get_access (device);
  sink += vmem_memory_device_get_discard (device);
  sink += vmem_memory_device_get_source_pagesize (device);
  sink_str (vmem_memory_device_get_source_nodemask (device));
  sink_str (vmem_memory_device_get_source_path (device));
  sink += vmem_memory_device_get_source_alignsize (device);
  sink += vmem_memory_device_get_source_pmem (device);

  address = vmem_memory_device_get_address (device);
  if (address != NULL)
    {
      sink += vmem_device_address_get_address_type (address);
      switch (vmem_device_address_get_address_type (address))
        {
        case VMEM_ADDRESS_TYPE_PCI:
          sink += vmem_device_address_get_pci_domain (address);
          sink += vmem_device_address_get_pci_bus (address);
          sink += vmem_device_address_get_pci_slot (address);
          sink += vmem_device_address_get_pci_function (address);
          break;
        case VMEM_ADDRESS_TYPE_DIMM:
          sink += vmem_device_address_get_dimm_slot (address);
          sink += vmem_device_address_get_base (address);
          break;
        default:
          sink_str (vmem_device_address_get_type_name (address));
        }
    }

  if (VMEM_IS_VIRTIO_MEM (device))
    {
      VmemVirtioMem *vm = VMEM_VIRTIO_MEM (device);

      sink += vmem_virtio_mem_get_block_size (vm);
      sink += vmem_virtio_mem_get_requested_size (vm);
      sink += vmem_virtio_mem_get_current_size (vm);
      sink += vmem_virtio_mem_get_address_base (vm);
    }
  else if (VMEM_IS_NVDIMM (device))
    {
      VmemNvdimm *nv = VMEM_NVDIMM (device);

      sink += vmem_nvdimm_get_label_size (nv);
      sink += vmem_nvdimm_get_readonly (nv);
      sink_str (vmem_nvdimm_get_uuid (nv));
    }
}

static guint
enumerate_library (const char *uri)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmemConnection) conn = vmem_connection_new (uri);
  GListModel *domains;
  guint n_devices = 0;
  guint n;

  if (!vmem_connection_open (conn, NULL, &error))
    g_error ("Cannot open %s: %s", uri, error->message);

  domains = vmem_connection_get_domains (conn);
  n = g_list_model_get_n_items (domains);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VmemDomain) domain = g_list_model_get_item (domains, i);
      GListModel *devices = vmem_domain_get_memory_devices (domain);
      guint n_dev = g_list_model_get_n_items (devices);

      sink_str (vmem_domain_get_name (domain));
      sink += vmem_domain_get_state (domain);
      for (guint k = 0; k < n_dev; k++)
        {
          g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (devices, k);

          read_device (device);
          n_devices++;
        }
    }

  /* An open connection holds itself and its domains. */
  vmem_connection_close (conn);
  return n_devices;
}

static gsize
enumerate_libvirt (const char *uri)
{
  virConnectPtr vconn = virConnectOpen (uri);
  virDomainPtr *doms = NULL;
  gsize bytes = 0;
  int n;

  if (vconn == NULL)
    g_error ("Cannot open %s", uri);

  n = virConnectListAllDomains (vconn, &doms, 0);
  if (n < 0)
    g_error ("virConnectListAllDomains failed");

  for (int i = 0; i < n; i++)
    {
      char *xml = virDomainGetXMLDesc (doms[i], 0);

      if (xml == NULL)
        g_error ("virDomainGetXMLDesc failed");
      bytes += strlen (xml);
      free (xml);
      virDomainFree (doms[i]);
    }
  free (doms);

  virConnectClose (vconn);
  return bytes;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree double *t_lib = NULL, *t_raw = NULL, *t_pair = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(GPtrArray) xmls = NULL;
  virConnectPtr holder;
  guint rounds, n_domains, n_devices = 0;
  gsize bytes = 0;
  double lib, raw, pair, t0;

  if (argc < 2 || argc > 3)
    {
      g_printerr ("usage: %s DOMAINS.xml [ROUNDS]\n", argv[0]);
      return 2;
    }
  rounds = argc == 3 ? (guint) atoi (argv[2]) : 7;
  if (rounds == 0)
    rounds = 1;

  t0 = bench_now ();
  xmls = bench_domain_xmls (argv[1]);
  n_domains = xmls->len;
  holder = bench_default_driver ();
  bench_define_domains (holder, xmls, 0, n_domains);
  g_print ("enumerate: %u domains defined and started on %s in %.0f ms\n",
           n_domains, BENCH_DEFAULT_URI, (bench_now () - t0) * 1e3);

  /* One round of each unmeasured: types registered, libvirt's event loop
   * started, caches warm. */
  enumerate_library (BENCH_DEFAULT_URI);
  enumerate_libvirt (BENCH_DEFAULT_URI);

  t_lib = g_new (double, rounds);
  t_raw = g_new (double, rounds);
  for (guint r = 0; r < rounds; r++)
    {
      t0 = bench_now ();
      n_devices = enumerate_library (BENCH_DEFAULT_URI);
      t_lib[r] = bench_now () - t0;

      t0 = bench_now ();
      bytes = enumerate_libvirt (BENCH_DEFAULT_URI);
      t_raw[r] = bench_now () - t0;

      g_print ("enumerate: round %u: library %.2f ms, libvirt %.2f ms\n",
               r + 1, t_lib[r] * 1e3, t_raw[r] * 1e3);
    }

  /* The ratio of each round's pair too: on a loaded machine, a pair
   * measured a moment apart shares its load. */
  t_pair = g_new (double, rounds);
  for (guint r = 0; r < rounds; r++)
    t_pair[r] = t_lib[r] / t_raw[r];
  pair = bench_median (t_pair, rounds);

  lib = bench_median (t_lib, rounds) * 1e3;
  raw = bench_median (t_raw, rounds) * 1e3;

  detail = g_strdup_printf ("(a) library from C, open (which reads every domain) + every "
                            "getter + close, against (d) virConnectOpen + "
                            "virConnectListAllDomains + virDomainGetXMLDesc unparsed + "
                            "virConnectClose; a fresh connection a round on each side, "
                            "%u running domains on %s, %u devices, %.2f MB of XML; median "
                            "of %u interleaved rounds (median of the rounds' own ratios: "
                            "%.2f)",
                            n_domains, BENCH_DEFAULT_URI, n_devices, bytes / 1e6, rounds,
                            pair);
  bench_result ("enumerate a/d", lib, "ms", raw, "<= 1.6", FALSE, detail);

  virConnectClose (holder);
  return sink == 42 ? 3 : 0;
}
