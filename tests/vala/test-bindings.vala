/* test-bindings.vala: the library through its VAPI
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What a Vala program sees of the library: constructors and list models,
 * errors caught by domain and by code, async pairs as async methods with
 * an optional cancellable, and properties and signals by their Vala
 * names. Live calls go to libvirt's test driver, in this process: a
 * test:///FILE connection with one running domain that has two NUMA nodes,
 * a virtio-mem device on the first and a DIMM on the second: the
 * connection's model of domains, live devices and descriptions, and the
 * domain's memory figures.
 */

const uint64 MiB = 1024 * 1024;
const uint64 GiB = 1024 * MiB;

const string DOMAIN = "vmem-vala";

/* The test driver keeps only aliases that start with "ua-". */
const string DOMAIN_XML = """  <domain type='test'>
    <name>vmem-vala</name>
    <uuid>9b2f0c1e-6a4d-4f3b-8e2a-1c5d7f9a0b3e</uuid>
    <maxMemory slots='16' unit='GiB'>16</maxMemory>
    <memory unit='MiB'>2560</memory>
    <currentMemory unit='MiB'>1024</currentMemory>
    <vcpu>2</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <cpu>
      <numa>
        <cell id='0' cpus='0' memory='512' unit='MiB'/>
        <cell id='1' cpus='1' memory='512' unit='MiB'/>
      </numa>
    </cpu>
    <devices>
      <memory model='virtio-mem'>
        <target>
          <size unit='GiB'>1</size>
          <node>0</node>
          <block unit='KiB'>2048</block>
          <requested unit='MiB'>128</requested>
        </target>
        <alias name='ua-vmem0'/>
      </memory>
      <memory model='dimm'>
        <target>
          <size unit='MiB'>512</size>
          <node>1</node>
        </target>
        <alias name='ua-dimm0'/>
        <address type='dimm' slot='0'/>
      </memory>
    </devices>
  </domain>
""";

const string NODE_XML = "<node>\n" + DOMAIN_XML + "</node>\n";

const string VIRTIO_MEM_XML = "<memory model='virtio-mem'><target>" +
  "<size unit='GiB'>1</size><node>0</node>" +
  "<block unit='KiB'>2048</block><requested unit='MiB'>512</requested>" +
  "</target></memory>";

string node_path;

Vmem.Connection open_connection () {
  var conn = new Vmem.Connection ("test://" + node_path);
  try {
    assert_true (conn.open ());
  } catch (GLib.Error e) {
    assert_no_error (e);
  }
  return conn;
}

void test_list_model () {
  try {
    var config = new Vmem.DomainConfig.from_xml (DOMAIN_XML);
    ListModel devices = config.get_memory_devices ();
    assert_true (devices.get_item_type () == typeof (Vmem.MemoryDevice));
    assert_cmpuint (devices.get_n_items (), EQ, 2);
    assert_true (devices == config.memory_devices);

    string[] aliases = {};
    for (uint i = 0; i < devices.get_n_items (); i++) {
      var device = (Vmem.MemoryDevice) devices.get_item (i);
      aliases += device.alias;
    }
    assert_cmpstrv (aliases, { "ua-vmem0", "ua-dimm0" });

    var virtio_mem = devices.get_item (0) as Vmem.VirtioMem;
    assert_nonnull (virtio_mem);
    assert_true (virtio_mem.size == 1 * GiB);
    assert_true (virtio_mem.block_size == 2 * MiB);
    assert_true (virtio_mem.requested_size == 128 * MiB);
    assert_true (devices.get_item (1) is Vmem.Dimm);
    assert_null (devices.get_item (2));

    var cells = config.numa_cells;
    assert_cmpuint (cells.get_n_items (), EQ, 2);
    assert_true (((Vmem.NumaCell) cells.get_item (1)).memory == 512 * MiB);
  } catch (GLib.Error e) {
    assert_no_error (e);
  }
}

void test_errors () {
  /* By code, */
  try {
    Vmem.MemoryDevice.new_from_xml ("<memory model='bogus'/>");
    assert_not_reached ();
  } catch (Vmem.Error.UNSUPPORTED_MODEL e) {
    assert_error (e, Vmem.Error.quark (), Vmem.Error.UNSUPPORTED_MODEL);
  } catch (GLib.Error e) {
    assert_no_error (e);
  }

  /* by domain, */
  uint64 bytes = 0;
  try {
    Vmem.size_parse ("16EiB", out bytes);
    assert_not_reached ();
  } catch (Vmem.Error e) {
    assert_true (e is Vmem.Error.OVERFLOW);
    assert_true (e.matches (Vmem.Error.quark (), Vmem.Error.OVERFLOW));
    assert_true (e.domain == Vmem.Error.quark ());
  }

  /* and what a good value gives. */
  try {
    assert_true (Vmem.size_parse ("2GiB", out bytes));
    assert_true (bytes == 2 * GiB);
    assert_cmpstr (Vmem.size_format (1536 * MiB), EQ, "1536MiB");

    var device = (Vmem.VirtioMem) Vmem.MemoryDevice.new_from_xml (VIRTIO_MEM_XML);
    assert_true (device.check_requested_size (256 * MiB));
    device.check_requested_size (3 * MiB);
    assert_not_reached ();
  } catch (Vmem.Error.NOT_ALIGNED e) {
  } catch (GLib.Error e) {
    assert_no_error (e);
  }
}

async void async_pairs () throws GLib.Error {
  var conn = new Vmem.Connection ("test://" + node_path);
  assert_true (yield conn.open_async ());
  assert_true (conn.connected);

  /* Opening read the domains into the connection's model, */
  ListModel domains = conn.get_domains ();
  assert_true (domains.get_item_type () == typeof (Vmem.Domain));
  assert_cmpuint (domains.get_n_items (), EQ, 1);
  assert_true (conn.domains == domains);
  var domain = yield conn.lookup_domain_async (DOMAIN);
  assert_cmpstr (domain.name, EQ, DOMAIN);
  assert_true (domain.connection == conn);
  assert_true (domains.get_item (0) == domain);

  /* where they are found by name or UUID without asking libvirt. */
  assert_cmpstr (domain.uuid, EQ, new Vmem.DomainConfig.from_xml (DOMAIN_XML).uuid);
  assert_true (conn.find_domain (DOMAIN) == domain);
  assert_true (conn.find_domain (domain.uuid) == domain);
  assert_null (conn.find_domain ("no-such-domain"));

  try {
    yield conn.lookup_domain_async ("no-such-domain");
    assert_not_reached ();
  } catch (Vmem.Error.NOT_FOUND e) {
  }

  var device = domain.find_memory_device ("ua-vmem0") as Vmem.VirtioMem;
  assert_nonnull (device);
  assert_true (yield domain.refresh_async ());

  /* Refused before libvirt is asked, */
  try {
    yield device.resize_async (3 * MiB);
    assert_not_reached ();
  } catch (Vmem.Error.NOT_ALIGNED e) {
  }
  /* then refused by the test driver, which cannot resize. */
  try {
    yield device.set_requested_size_async (256 * MiB, Vmem.AffectFlags.LIVE);
    assert_not_reached ();
  } catch (Vmem.Error.NOT_SUPPORTED e) {
    assert_cmpint (Vmem.Error.get_libvirt_code (e), NE, 0);
  }
  assert_true (device.requested_size == 128 * MiB);

  /* A description reaches no guest: the command refuses it, and its
   * requested size is a property. */
  var description = (Vmem.VirtioMem) Vmem.MemoryDevice.new_from_xml (VIRTIO_MEM_XML);
  assert_false (description.is_live ());
  try {
    yield description.set_requested_size_async (256 * MiB, Vmem.AffectFlags.CURRENT);
    assert_not_reached ();
  } catch (Vmem.Error.NOT_SUPPORTED e) {
  }
  try {
    yield description.resize_async (256 * MiB);
    assert_not_reached ();
  } catch (Vmem.Error.NOT_SUPPORTED e) {
  }
  assert_true (description.requested_size == 512 * MiB);
  description.requested_size = 256 * MiB;
  assert_true (description.requested_size == 256 * MiB);
  var made = new Vmem.VirtioMem () {
    size = 1 * GiB,
    block_size = 2 * MiB,
    requested_size = 256 * MiB
  };
  assert_true (made.validate ());

  /* The live device and its domain; a copy is a description. */
  assert_true (device.is_live ());
  assert_true (device.domain == domain);
  var copy = device.copy ();
  assert_false (copy.is_live ());
  assert_null (copy.domain);
  assert_true (copy.equal (device));

  /* Attach gives the device added; the test driver cannot attach. */
  var dimm = new Vmem.Dimm ();
  dimm.size = 128 * MiB;
  dimm.node = 0;
  try {
    Vmem.MemoryDevice added = yield domain.attach_device_async (dimm, Vmem.AffectFlags.LIVE);
    assert_null (added);
    assert_not_reached ();
  } catch (Vmem.Error.NOT_SUPPORTED e) {
  }

  /* A cancelled call fails with IOError.CANCELLED. */
  var cancellable = new Cancellable ();
  cancellable.cancel ();
  try {
    yield domain.refresh_async (cancellable);
    assert_not_reached ();
  } catch (IOError.CANCELLED e) {
  }

  conn.close ();
}

/* The figures of a Vmem.MemoryUsage, by property and by getter; the test
 * driver reports no current size, so virtio-mem has plugged nothing. */
void check_usage (Vmem.MemoryUsage usage, int node, uint64 @base, uint64 dimm,
                  uint64 requested, uint64 maximum) {
  assert_cmpint (usage.node, EQ, node);
  assert_cmpint (usage.get_node (), EQ, node);
  assert_true (usage.base == @base && usage.get_base () == @base);
  assert_true (usage.dimm == dimm);
  assert_true (usage.get_plugged (Vmem.MemoryModel.DIMM) == dimm);
  assert_true (usage.virtio_mem == 0);
  assert_true (usage.get_plugged (Vmem.MemoryModel.VIRTIO_MEM) == 0);
  assert_true (usage.virtio_mem_requested == requested);
  assert_true (usage.get_virtio_mem_requested () == requested);
  assert_true (usage.virtio_mem_maximum == maximum);
  assert_true (usage.get_virtio_mem_maximum () == maximum);
  assert_true (usage.nvdimm == 0 && usage.virtio_pmem == 0 && usage.sgx_epc == 0);
  assert_true (usage.total == @base + dimm && usage.get_total () == usage.total);
}

/* DOMAIN_XML's figures: 512 MiB on each node, a 1 GiB virtio-mem device
 * on node 0 asked for 128 MiB, a 512 MiB DIMM on node 1, 16 GiB and 16
 * slots at most. */
void test_figures () {
  var conn = open_connection ();
  try {
    var domain = conn.lookup_domain (DOMAIN);
    Vmem.MemoryUsage memory = domain.memory;
    assert_true (memory == domain.get_memory ());
    check_usage (memory, -1, 1 * GiB, 512 * MiB, 128 * MiB, 1 * GiB);

    ListModel nodes = domain.numa_nodes;
    assert_true (nodes == domain.get_numa_nodes ());
    assert_true (nodes.get_item_type () == typeof (Vmem.MemoryUsage));
    assert_cmpuint (nodes.get_n_items (), EQ, 2);
    check_usage ((Vmem.MemoryUsage) nodes.get_item (0), 0, 512 * MiB, 0, 128 * MiB, 1 * GiB);
    check_usage ((Vmem.MemoryUsage) nodes.get_item (1), 1, 512 * MiB, 512 * MiB, 0, 0);

    assert_true (domain.max_memory == 16 * GiB);
    assert_cmpuint (domain.memory_slots, EQ, 16);
    /* The DIMM takes a slot; the virtio-mem device takes one up to
     * libvirt 9.4 only. */
    uint version = domain.connection.libvirt_version;
    assert_true (version == domain.connection.get_libvirt_version ());
    assert_true (version >= 9000000);
    assert_cmpuint (domain.free_memory_slots, EQ, version < 9005000 ? 14 : 15);
    /* The boot memory and the devices, virtio-mem at full size, taken off. */
    assert_true (domain.hotplug_headroom == 16 * GiB - 1 * GiB - 1 * GiB - 512 * MiB);

    /* A snapshot, of descriptions. */
    var config = domain.dup_config ();
    assert_true (config != domain.dup_config ());
    var copied = (Vmem.MemoryDevice) config.memory_devices.get_item (0);
    assert_false (copied.is_live ());
    assert_true (copied.equal (domain.find_memory_device ("ua-vmem0")));
  } catch (Vmem.Error e) {
    assert_no_error (e);
  }
  conn.close ();
}

/* Opening fills the connection's one model and closing empties it, with
 * one items-changed each and no domain-added or domain-removed. */
void test_domain_model () {
  var conn = new Vmem.Connection ("test://" + node_path);
  ListModel domains = conn.domains;
  assert_cmpuint (domains.get_n_items (), EQ, 0);
  string[] seen = {};
  domains.items_changed.connect ((position, removed, added) => {
    seen += "items-changed %u %u %u".printf (position, removed, added);
  });
  conn.domain_added.connect ((c, domain) => seen += "added " + domain.name);
  conn.domain_removed.connect ((c, domain) => seen += "removed " + domain.name);

  try {
    assert_true (conn.open ());
  } catch (GLib.Error e) {
    assert_no_error (e);
  }
  assert_cmpstrv (seen, { "items-changed 0 0 1" });
  assert_true (conn.domains == domains);
  assert_cmpstr (((Vmem.Domain) domains.get_item (0)).name, EQ, DOMAIN);

  seen = {};
  conn.close ();
  assert_cmpstrv (seen, { "items-changed 0 1 0" });
  assert_true (conn.get_domains () == domains);
  assert_cmpuint (domains.get_n_items (), EQ, 0);
  assert_null (conn.find_domain (DOMAIN));
}

/* The device outlives the reference to its domain: the connection holds
 * the domain. */
void test_live_device () {
  var conn = open_connection ();
  try {
    Vmem.MemoryDevice device = conn.lookup_domain (DOMAIN).find_memory_device ("ua-vmem0");
    assert_true (device.is_live ());
    Vmem.Domain? domain = device.domain;
    assert_nonnull (domain);
    assert_true (domain == conn.find_domain (DOMAIN));

    /* The stall timeout is the application's, live or not. */
    var virtio_mem = (Vmem.VirtioMem) device;
    virtio_mem.stall_timeout = 5000;
    assert_cmpuint (virtio_mem.stall_timeout, EQ, 5000);
  } catch (Vmem.Error e) {
    assert_no_error (e);
  }
  conn.close ();
}

/* Runs async_pairs() to its end on a main loop, with a bound. */
void test_async () {
  var loop = new MainLoop ();
  GLib.Error? failure = null;
  bool timed_out = false;
  var timeout = Timeout.add_seconds (30, () => {
    timed_out = true;
    loop.quit ();
    return Source.REMOVE;
  });
  async_pairs.begin ((obj, res) => {
    try {
      async_pairs.end (res);
    } catch (GLib.Error e) {
      failure = e;
    }
    loop.quit ();
  });
  loop.run ();
  if (!timed_out)
    Source.remove (timeout);
  assert_false (timed_out);
  assert_no_error (failure);
}

void test_properties_and_signals () {
  try {
    var device = (Vmem.VirtioMem) Vmem.MemoryDevice.new_from_xml (VIRTIO_MEM_XML);
    uint64[] seen = {};
    device.notify["requested-size"].connect ((obj, pspec) => {
      seen += ((Vmem.VirtioMem) obj).requested_size;
    });
    device.requested_size = 256 * MiB;
    device.requested_size = 256 * MiB;
    assert_cmpuint (seen.length, EQ, 1);
    assert_true (seen[0] == 256 * MiB);

    device.stall_timeout = 5000;
    assert_cmpuint (device.get_stall_timeout (), EQ, 5000);
    device.set_block_size (4 * MiB);
    assert_true (device.block_size == 4 * MiB);
    assert_true (device.model == Vmem.MemoryModel.VIRTIO_MEM);

    var conn = open_connection ();
    assert_true (conn.connected);
    assert_true (conn.is_open ());
    var domain = conn.lookup_domain (DOMAIN);
    assert_true (domain.state == Vmem.DomainState.RUNNING);

    /* Signals are reachable by their Vala names; the test driver never
     * emits the size-change one. */
    var handler = domain.memory_device_size_changed.connect ((dom, dev, size) => {
      assert_not_reached ();
    });
    assert_true (handler != 0);
    SignalHandler.disconnect (domain, handler);
    /* The connection's are typed: a domain, and a device. */
    handler = conn.memory_device_size_changed.connect ((c, dom, dev, size) => {
      Vmem.Domain d = dom;
      Vmem.MemoryDevice m = dev;
      error ("no size change on the test driver: %s %s", d.name, m.alias);
    });
    SignalHandler.disconnect (conn, handler);
    handler = conn.domain_added.connect ((c, dom) => assert_not_reached ());
    SignalHandler.disconnect (conn, handler);

    var loop = new MainLoop ();
    Vmem.CloseReason? reason = null;
    bool connected_notified = false;
    conn.notify["connected"].connect (() => connected_notified = true);
    conn.closed.connect ((c, r) => {
      reason = r;
      loop.quit ();
    });
    var timeout = Timeout.add_seconds (10, () => {
      loop.quit ();
      return Source.REMOVE;
    });
    conn.close ();
    if (reason == null)
      loop.run ();
    Source.remove (timeout);
    assert_true (reason == Vmem.CloseReason.CLIENT);
    assert_true (connected_notified);
    assert_false (conn.connected);
  } catch (GLib.Error e) {
    assert_no_error (e);
  }
}

int main (string[] args) {
  Test.init (ref args);

  int fd;
  try {
    fd = FileUtils.open_tmp ("vmem-test-vala-XXXXXX.xml", out node_path);
    FileUtils.close (fd);
    FileUtils.set_contents (node_path, NODE_XML);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }

  Test.add_func ("/vala/list-model", test_list_model);
  Test.add_func ("/vala/errors", test_errors);
  Test.add_func ("/vala/async", test_async);
  Test.add_func ("/vala/figures", test_figures);
  Test.add_func ("/vala/domain-model", test_domain_model);
  Test.add_func ("/vala/live-device", test_live_device);
  Test.add_func ("/vala/properties-and-signals", test_properties_and_signals);

  var status = Test.run ();
  FileUtils.unlink (node_path);
  return status;
}
