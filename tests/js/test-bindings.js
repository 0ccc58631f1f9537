// SPDX-License-Identifier: LGPL-2.1-or-later
//
// test-bindings.js: the library through GObject-introspection in gjs
//
// Loads the uninstalled typelib (GI_TYPELIB_PATH and LD_LIBRARY_PATH point
// at the build tree), parses a domain of libvirt's corpus and checks what
// gjs sees: the device list, subclasses, properties and getters in bytes,
// errors with the Vmem domain and codes, out parameters and notify
// signals. Expected values are read from the same file. The live layer
// runs on libvirt's test driver, in the process: list models iterated with
// for...of, async pairs awaited through Gio._promisify, errors matched by
// domain and code, properties and signals by name, the connection's model
// of domains and its signals while libvirt-gobject defines and undefines a
// domain beside the library, and a domain's memory figures. Prints TAP and
// exits non-zero when a test fails.
//
// Usage: gjs test-bindings.js [DOMAIN-XML]; without an argument, the
// corpus's memory-hotplug-virtio-mem.xml under $VMEM_TEST_CORPUS_DIR.

imports.gi.versions.Vmem = '1.0';
imports.gi.versions.Gio = '2.0';
imports.gi.versions.GLib = '2.0';

const {GLib, Gio, GObject, Vmem} = imports.gi;
const System = imports.system;

const tests = [];

function test(name, fn) {
  tests.push({name, fn});
}

function assert(condition, what) {
  if (!condition)
    throw new Error(`assertion failed: ${what}`);
}

function assertEqual(got, expected, what) {
  if (got !== expected)
    throw new Error(`${what}: expected ${expected}, got ${got}`);
}

function assertThrowsVmem(fn, code, what) {
  try {
    fn();
  } catch (e) {
    assert(e instanceof GLib.Error, `${what}: a GLib.Error, not ${e}`);
    assertEqual(e.domain, Vmem.error_quark(), `${what}: error domain`);
    assertEqual(e.code, code, `${what}: error code`);
    assert(e.matches(Vmem.error_quark(), code), `${what}: matches()`);
    return e;
  }
  throw new Error(`${what}: no error thrown`);
}

// Bytes of a libvirt size, as virScaleInteger reads it; no unit is KiB.
function scale(text, unit) {
  const value = BigInt(text.trim());
  unit = (unit || '').toLowerCase();
  if (unit === '')
    return value * 1024n;
  if (['b', 'byte', 'bytes'].includes(unit))
    return value;
  const base = unit.length === 2 && unit[1] === 'b' ? 1000n : 1024n;
  if (unit.length > 1 && !['ib', 'b'].includes(unit.slice(1)))
    throw new Error(`unknown unit ${unit}`);
  const exponent = 'kmgtpe'.indexOf(unit[0]) + 1;
  assert(exponent > 0, `unit ${unit}`);
  return value * base ** BigInt(exponent);
}

// The text and unit of <name unit='...'>N</name> within fragment, or null.
function sizeOf(fragment, name) {
  const re = new RegExp(`<${name}(?:\\s+unit=['"]([^'"]*)['"])?\\s*>([^<]*)</${name}>`);
  const m = fragment.match(re);
  return m ? scale(m[2], m[1]) : null;
}

function corpusFile() {
  if (ARGV.length > 0)
    return ARGV[0];
  const corpus = GLib.getenv('VMEM_TEST_CORPUS_DIR');
  if (!corpus)
    throw new Error('VMEM_TEST_CORPUS_DIR is not set and no file was given');
  return GLib.build_filenamev([corpus, 'qemuxml2argvdata', 'memory-hotplug-virtio-mem.xml']);
}

const domainFile = corpusFile();
const [, contents] = GLib.file_get_contents(domainFile);
const domainXml = new TextDecoder().decode(contents);
const devicesXml = domainXml.slice(domainXml.indexOf('<devices>'));
const memoryFragments = devicesXml.match(/<memory model=[^>]*>[\s\S]*?<\/memory>/g) || [];

// Sizes fit in a double up to 2^53; the corpus's do.
function num(big) {
  assert(big <= BigInt(Number.MAX_SAFE_INTEGER), `${big} fits a double`);
  return Number(big);
}

test('domain values', () => {
  const config = Vmem.DomainConfig.new_from_xml(domainXml);
  assert(config instanceof Vmem.DomainConfig, 'a DomainConfig');
  assertEqual(config.get_name(), domainXml.match(/<name>([^<]*)<\/name>/)[1], 'name');
  assertEqual(config.get_uuid(), domainXml.match(/<uuid>([^<]*)<\/uuid>/)[1], 'uuid');
  assertEqual(config.get_id(), -1, 'id');
  assertEqual(config.get_arch(), domainXml.match(/<type arch='([^']*)'/)[1], 'arch');
  assertEqual(config.get_memory(), num(sizeOf(domainXml, 'memory')), 'memory');
  assertEqual(config.get_current_memory(), num(sizeOf(domainXml, 'currentMemory')), 'currentMemory');
  const slots = domainXml.match(/<maxMemory slots='(\d+)'/);
  assertEqual(config.get_max_memory_slots(), Number(slots[1]), 'slots');
  const cells = config.get_numa_cells();
  assertEqual(cells.get_n_items(), (domainXml.match(/<cell /g) || []).length, 'NUMA cells');
});

test('device list', () => {
  const config = Vmem.DomainConfig.new_from_xml(domainXml);
  const devices = config.get_memory_devices();
  assert(devices instanceof Gio.ListModel, 'a Gio.ListModel');
  assertEqual(devices.get_item_type().name, 'VmemMemoryDevice', 'item type');
  assert(memoryFragments.length > 0, 'the file has memory devices');
  assertEqual(devices.get_n_items(), memoryFragments.length, 'device count');
  assertEqual(devices.get_item(memoryFragments.length), null, 'past the end');
});

test('devices', () => {
  const config = Vmem.DomainConfig.new_from_xml(domainXml);
  const devices = config.get_memory_devices();
  const classes = {
    'dimm': Vmem.Dimm,
    'nvdimm': Vmem.Nvdimm,
    'virtio-pmem': Vmem.VirtioPmem,
    'virtio-mem': Vmem.VirtioMem,
    'sgx-epc': Vmem.SgxEpc,
  };
  let nVirtioMem = 0;

  memoryFragments.forEach((fragment, i) => {
    const dev = devices.get_item(i);
    const model = fragment.match(/model='([^']*)'/)[1];
    assert(dev instanceof Vmem.MemoryDevice, `device ${i} is a MemoryDevice`);
    assert(dev instanceof classes[model], `device ${i} is a ${model}`);

    const size = num(sizeOf(fragment, 'size'));
    assertEqual(dev.get_size(), size, `device ${i} size`);
    assertEqual(dev.size, size, `device ${i} size property`);
    const node = fragment.match(/<node>(\d+)<\/node>/);
    assertEqual(dev.get_node(), node ? Number(node[1]) : -1, `device ${i} node`);

    if (dev instanceof Vmem.VirtioMem) {
      nVirtioMem++;
      assertEqual(dev.get_block_size(), num(sizeOf(fragment, 'block')), `device ${i} block`);
      assertEqual(dev.block_size, dev.get_block_size(), `device ${i} block-size property`);
      assertEqual(dev.get_requested_size(), num(sizeOf(fragment, 'requested')),
        `device ${i} requested`);
      assertEqual(dev.requested_size, dev.get_requested_size(), `device ${i} requested-size property`);
      assertEqual(dev.get_current_size(), 0, `device ${i} current`);
    }

    const pci = fragment.match(/<address type='pci' domain='(0x[0-9a-f]+)' bus='(0x[0-9a-f]+)' slot='(0x[0-9a-f]+)' function='(0x[0-9a-f]+)'/);
    if (pci) {
      const address = dev.get_address();
      assertEqual(address.get_address_type(), Vmem.AddressType.PCI, `device ${i} address type`);
      assertEqual(address.get_pci_bus(), Number(pci[2]), `device ${i} bus`);
      assertEqual(address.get_pci_slot(), Number(pci[3]), `device ${i} slot`);
      assertEqual(address.get_pci_function(), Number(pci[4]), `device ${i} function`);
    }

    const again = Vmem.MemoryDevice.new_from_xml(dev.to_xml());
    assert(dev.equal(again), `device ${i} round trip`);
    assertEqual(again.to_xml(), dev.to_xml(), `device ${i} XML round trip`);
  });

  if (GLib.path_get_basename(domainFile) === 'memory-hotplug-virtio-mem.xml')
    assertEqual(nVirtioMem, memoryFragments.length, 'every device is virtio-mem');
});

test('errors', () => {
  assertThrowsVmem(() => Vmem.MemoryDevice.new_from_xml('<memory model="bogus"/>'),
    Vmem.Error.UNSUPPORTED_MODEL, 'unknown model');
  assertThrowsVmem(() => Vmem.DomainConfig.new_from_xml('<domain><name>x</name>'),
    Vmem.Error.INVALID_XML, 'unclosed tag');
  assertThrowsVmem(() => Vmem.size_parse('16EiB'), Vmem.Error.OVERFLOW, 'overflow');
  assertThrowsVmem(() => Vmem.size_parse('12XB'), Vmem.Error.INVALID_SIZE, 'unknown unit');
});

test('sizes', () => {
  // The gboolean return is annotated (skip); gjs 1.74 still hands it
  // back, as [true, value], and throws on failure.
  let [ok, size] = Vmem.size_parse('2GiB');
  assertEqual(ok, true, "size_parse('2GiB') succeeds");
  assertEqual(size, 2 * 1024 ** 3, "size_parse('2GiB')");
  [ok, size] = Vmem.size_parse('512 MiB');
  assertEqual(size, 512 * 1024 ** 2, "size_parse('512 MiB')");
  [ok, size] = Vmem.size_scale(3, 'KB');
  assertEqual(size, 3000, "size_scale(3, 'KB')");
  [ok, size] = Vmem.size_scale(3, null);
  assertEqual(size, 3, 'size_scale(3, null)');
  assertEqual(Vmem.size_format(1536 * 1024 ** 2), '1536MiB', 'size_format');
});

test('virtio-mem requested size', () => {
  const dev = Vmem.MemoryDevice.new_from_xml(
    "<memory model='virtio-mem'><target><size unit='GiB'>1</size><node>0</node>" +
    "<block unit='KiB'>2048</block><requested unit='MiB'>512</requested></target></memory>");
  assert(dev instanceof Vmem.VirtioMem, 'a VirtioMem');
  assert(dev.check_requested_size(256 * 1024 ** 2), '256 MiB is fine');
  assertThrowsVmem(() => dev.check_requested_size(3 * 1024 ** 2),
    Vmem.Error.NOT_ALIGNED, '3 MiB');
  assertThrowsVmem(() => dev.check_requested_size(2 * 1024 ** 3),
    Vmem.Error.OUT_OF_RANGE, '2 GiB');
});

test('notify', () => {
  const dev = Vmem.Dimm.new();
  const seen = [];
  dev.connect('notify', (obj, pspec) => seen.push(pspec.get_name()));
  dev.size = 0;
  assertEqual(seen.length, 0, 'notifies for the same value');
  dev.size = 1024 ** 3;
  assertEqual(seen.join(','), 'size', 'notifies for a new value');
  dev.set_node(-1);
  assertEqual(seen.length, 1, 'notifies for the same node');
  dev.set_node(0);
  assertEqual(seen.join(','), 'size,node', 'notifies for a new node');
});

// A property named like a method hides the method in gjs: the
// connection's state is "connected", so open() stays callable.
test('connection open', () => {
  const conn = Vmem.Connection.new('test:///default');
  assertEqual(typeof conn.open, 'function', 'open is a method');
  assertEqual(conn.connected, false, 'connected before open()');
  assert(conn.open(null), 'open()');
  assertEqual(conn.connected, true, 'connected after open()');
  assertEqual(conn.is_open(), true, 'is_open()');
  conn.close();
  assertEqual(conn.connected, false, 'connected after close()');
});

// A running domain with two NUMA nodes, a virtio-mem device on the first
// and a DIMM on the second, for libvirt's test driver through a
// test:///FILE URI. The driver keeps only aliases that start with "ua-".
const nodeUuid = '7d4a2b1c-0e9f-4a8b-9c7d-6e5f4a3b2c1d';
const nodeXml = `<node>
  <domain type='test'>
    <name>vmem-gjs</name>
    <uuid>${nodeUuid}</uuid>
    <maxMemory slots='16' unit='GiB'>16</maxMemory>
    <memory unit='MiB'>2560</memory>
    <currentMemory unit='MiB'>1024</currentMemory>
    <vcpu>2</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <cpu><numa>
      <cell id='0' cpus='0' memory='512' unit='MiB'/>
      <cell id='1' cpus='1' memory='512' unit='MiB'/>
    </numa></cpu>
    <devices>
      <memory model='virtio-mem'>
        <target><size unit='GiB'>1</size><node>0</node>
          <block unit='KiB'>2048</block><requested unit='MiB'>128</requested></target>
        <alias name='ua-vmem0'/>
      </memory>
      <memory model='dimm'>
        <target><size unit='MiB'>512</size><node>1</node></target>
        <alias name='ua-dimm0'/>
        <address type='dimm' slot='0'/>
      </memory>
    </devices>
  </domain>
</node>
`;
const [nodeFile, nodeStream] = Gio.File.new_tmp('vmem-test-gjs-XXXXXX.xml');
nodeStream.output_stream.write_all(new TextEncoder().encode(nodeXml), null);
nodeStream.close(null);
const nodeUri = `test://${nodeFile.get_path()}`;

// The async pairs, as promises.
Gio._promisify(Vmem.Connection.prototype, 'open_async', 'open_finish');
Gio._promisify(Vmem.Connection.prototype, 'lookup_domain_async', 'lookup_domain_finish');
Gio._promisify(Vmem.Domain.prototype, 'attach_device_async', 'attach_device_finish');
Gio._promisify(Vmem.Domain.prototype, 'refresh_async', 'refresh_finish');
Gio._promisify(Vmem.VirtioMem.prototype, 'resize_async', 'resize_finish');
Gio._promisify(Vmem.VirtioMem.prototype, 'set_requested_size_async', 'set_requested_size_finish');

async function assertRejectsVmem(promise, code, what) {
  try {
    await promise;
  } catch (e) {
    assert(e instanceof GLib.Error, `${what}: a GLib.Error, not ${e}`);
    assert(e instanceof Vmem.Error, `${what}: instanceof Vmem.Error`);
    assert(e.matches(Vmem.Error, code), `${what}: matches(Vmem.Error, ${code}), not ${e}`);
    return e;
  }
  throw new Error(`${what}: no error thrown`);
}

test('live list models', () => {
  const conn = Vmem.Connection.new(nodeUri);
  conn.open(null);
  const domains = conn.get_domains();
  assert(domains instanceof Gio.ListModel, 'a Gio.ListModel');
  assertEqual(domains.get_item_type().name, 'VmemDomain', 'item type');
  assertEqual(domains, conn.domains, 'the domains property');
  assertEqual([...domains].map(d => d.name).join(','), 'vmem-gjs', 'for...of domains');

  // The model's objects, by name or UUID, without asking libvirt.
  const domain = conn.find_domain('vmem-gjs');
  assert(domain instanceof Vmem.Domain, 'find_domain()');
  assertEqual(domain, domains.get_item(0), 'find_domain() gives the model\'s domain');
  assertEqual(domain.uuid, nodeUuid, 'uuid');
  assertEqual(conn.find_domain(nodeUuid), domain, 'find_domain() by UUID');
  assertEqual(conn.lookup_domain('vmem-gjs'), domain, 'lookup_domain() gives the model\'s domain');
  assertEqual(domain.connection, conn, 'the connection property');
  const devices = domain.get_memory_devices();
  assertEqual(devices, domain.memory_devices, 'the memory-devices property');
  const aliases = [];
  for (const device of devices)
    aliases.push(device.alias);
  assertEqual(aliases.join(','), 'ua-vmem0,ua-dimm0', 'for...of devices');
  const [first, second] = devices;
  assert(first instanceof Vmem.VirtioMem && second instanceof Vmem.Dimm, 'destructured');
  assertEqual(domain.find_memory_device('ua-vmem0'), first, 'find_memory_device()');
  assertEqual(domain.find_memory_device('no-such-alias'), null, 'no such alias');
  conn.close();
});

test('live errors', () => {
  const conn = Vmem.Connection.new(nodeUri);
  conn.open(null);
  const e = assertThrowsVmem(() => conn.lookup_domain('no-such-domain'),
    Vmem.Error.NOT_FOUND, 'no such domain');
  assert(e instanceof Vmem.Error, 'instanceof Vmem.Error');
  assert(e.matches(Vmem.Error, Vmem.Error.NOT_FOUND), 'matches(Vmem.Error, NOT_FOUND)');
  assert(!e.matches(Vmem.Error, Vmem.Error.FAILED), 'not FAILED');
  assert(!e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND), 'not in Gio.IOErrorEnum');
  // gjs hands the original GError back to C, with libvirt's code.
  assert(Vmem.error_get_libvirt_code(e) > 0, 'libvirt code');

  const cancellable = new Gio.Cancellable();
  cancellable.cancel();
  try {
    Vmem.Connection.new(nodeUri).open(cancellable);
    throw new Error('no error thrown');
  } catch (err) {
    assert(err.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED), `cancelled, not ${err}`);
    assert(!(err instanceof Vmem.Error), 'not a Vmem.Error');
  }
  conn.close();
});

test('async pairs with await', async () => {
  const conn = Vmem.Connection.new(nodeUri);
  assertEqual(await conn.open_async(null), true, 'await open_async()');
  assertEqual(conn.connected, true, 'connected');
  const domain = await conn.lookup_domain_async('vmem-gjs', null);
  assert(domain instanceof Vmem.Domain, 'await lookup_domain_async()');
  assertEqual(conn.get_domains().get_n_items(), 1, 'opened with its domains');
  assertEqual(await domain.refresh_async(null), true, 'await refresh_async()');
  await assertRejectsVmem(conn.lookup_domain_async('no-such-domain', null),
    Vmem.Error.NOT_FOUND, 'lookup_domain_async() rejects');

  const device = domain.find_memory_device('ua-vmem0');
  await assertRejectsVmem(device.resize_async(3 * 1024 ** 2, null),
    Vmem.Error.NOT_ALIGNED, 'resize_async() to 3 MiB');
  await assertRejectsVmem(device.resize_async(2 * 1024 ** 3, null),
    Vmem.Error.OUT_OF_RANGE, 'resize_async() to 2 GiB');
  // The test driver cannot resize.
  await assertRejectsVmem(device.resize_async(256 * 1024 ** 2, null),
    Vmem.Error.NOT_SUPPORTED, 'resize_async() on the test driver');
  assertEqual(device.requested_size, 128 * 1024 ** 2, 'requested size kept');

  await assertRejectsVmem(device.set_requested_size_async(256 * 1024 ** 2,
    Vmem.AffectFlags.LIVE, null), Vmem.Error.NOT_SUPPORTED, 'set_requested_size_async() on the test driver');

  // A description reaches no guest; its requested size is a property.
  const description = Vmem.VirtioMem.new();
  description.size = 1024 ** 3;
  description.block_size = 2 * 1024 ** 2;
  await assertRejectsVmem(description.set_requested_size_async(256 * 1024 ** 2,
    Vmem.AffectFlags.CURRENT, null), Vmem.Error.NOT_SUPPORTED, 'a description refuses the command');
  await assertRejectsVmem(description.resize_async(256 * 1024 ** 2, null),
    Vmem.Error.NOT_SUPPORTED, 'a description does not resize');
  description.requested_size = 256 * 1024 ** 2;
  assertEqual(description.get_requested_size(), 256 * 1024 ** 2, 'requested size set');
  const made = new Vmem.VirtioMem({size: 1024 ** 3, block_size: 2 * 1024 ** 2,
    requested_size: 256 * 1024 ** 2});
  assertEqual(made.get_requested_size(), 256 * 1024 ** 2, 'requested size given at construction');
  // libvirt 10.1's dynamicMemslots and 9.4's virtio-pmem base address.
  made.dynamic_memslots = Vmem.Tristate.YES;
  assertEqual(made.get_dynamic_memslots(), Vmem.Tristate.YES, 'dynamic-memslots');
  assert(made.to_xml().includes("<target dynamicMemslots='yes'>"), 'dynamicMemslots written');
  const pmem = new Vmem.VirtioPmem({address_base: 0x2000000000});
  assertEqual(pmem.get_address_base(), 0x2000000000, 'virtio-pmem address-base');
  assert(made.validate(), 'a valid description');

  // The test driver cannot attach; an invalid description is refused first.
  await assertRejectsVmem(domain.attach_device_async(Vmem.Dimm.new(), Vmem.AffectFlags.LIVE, null),
    Vmem.Error.OUT_OF_RANGE, 'attach_device_async() of a DIMM without a size');
  conn.close();
});

test('the live model', () => {
  const conn = Vmem.Connection.new(nodeUri);
  conn.open(null);
  // Nothing but the connection is kept, and the collector runs: the
  // device stays live, its domain held by the connection.
  const device = conn.lookup_domain('vmem-gjs').find_memory_device('ua-vmem0');
  System.gc();
  assert(device.is_live(), 'is_live()');
  assert(device.domain instanceof Vmem.Domain, 'the domain property after a collection');
  assertEqual(device.domain, conn.find_domain('vmem-gjs'), 'the domain property');
  assertEqual(conn.find_domain('no-such-domain'), null, 'find_domain() of no domain');
  const e = assertThrowsVmem(() => device.set_requested_size(256 * 1024 ** 2, Vmem.AffectFlags.LIVE, null),
    Vmem.Error.NOT_SUPPORTED, 'libvirt refuses to resize on the test driver');
  assert(Vmem.error_get_libvirt_code(e) > 0, 'the refusal is libvirt\'s');

  const copy = device.copy();
  assert(copy instanceof Vmem.VirtioMem && !copy.is_live(), 'a copy is a description');
  assertEqual(copy.domain, null, 'a description has no domain');
  assert(copy.equal(device), 'equal to the live device');

  // A live device is read-only, but for the stall timeout.
  device.stall_timeout = 5000;
  assertEqual(device.get_stall_timeout(), 5000, 'stall-timeout of a live device');

  // From the test's XML: 512 MiB on each of two nodes, a 1 GiB virtio-mem
  // device on node 0 asked for 128 MiB, a 512 MiB DIMM on node 1, 16 GiB
  // and 16 slots at most.
  const MiB = 1024 ** 2;
  const domain = device.domain;
  const memory = domain.memory;
  assert(memory instanceof Vmem.MemoryUsage, 'a MemoryUsage');
  assertEqual(memory, domain.get_memory(), 'the memory property');
  assertUsage(memory, {node: -1, base: 1024 * MiB, dimm: 512 * MiB, virtio_mem: 0,
    virtio_mem_requested: 128 * MiB, virtio_mem_maximum: 1024 * MiB, total: 1536 * MiB});
  const nodes = domain.get_numa_nodes();
  assertEqual(nodes, domain.numa_nodes, 'the numa-nodes property');
  assertEqual(nodes.get_item_type().name, 'VmemMemoryUsage', 'numa-nodes item type');
  assertEqual(nodes.get_n_items(), 2, 'numa nodes');
  const [node0, node1] = nodes;
  assertUsage(node0, {node: 0, base: 512 * MiB, dimm: 0, virtio_mem: 0,
    virtio_mem_requested: 128 * MiB, virtio_mem_maximum: 1024 * MiB, total: 512 * MiB});
  assertUsage(node1, {node: 1, base: 512 * MiB, dimm: 512 * MiB, virtio_mem: 0,
    virtio_mem_requested: 0, virtio_mem_maximum: 0, total: 1024 * MiB});
  assertEqual(domain.max_memory, 16 * 1024 * MiB, 'max-memory');
  assertEqual(domain.memory_slots, 16, 'memory-slots');
  // The DIMM takes a slot; the virtio-mem device takes one up to libvirt
  // 9.4 only.
  const version = domain.connection.libvirt_version;
  assertEqual(version, domain.connection.get_libvirt_version(), 'get_libvirt_version()');
  assert(version >= 9000000, `libvirt-version ${version}`);
  const freeSlots = version < 9005000 ? 14 : 15;
  assertEqual(domain.free_memory_slots, freeSlots, 'free-memory-slots');
  assertEqual(domain.get_free_memory_slots(), freeSlots, 'get_free_memory_slots()');
  // 16 GiB less the boot memory and the devices, virtio-mem at full size.
  assertEqual(domain.hotplug_headroom, (16 * 1024 - 1024 - 1024 - 512) * MiB, 'hotplug-headroom');
  assertEqual(domain.get_hotplug_headroom(), domain.hotplug_headroom, 'get_hotplug_headroom()');

  // A snapshot is a copy, a new one each time.
  const config = domain.dup_config();
  assert(config instanceof Vmem.DomainConfig, 'dup_config()');
  assert(domain.dup_config() !== config, 'a new snapshot each time');
  const copies = [...config.get_memory_devices()];
  assertEqual(copies.map(d => d.alias).join(','), 'ua-vmem0,ua-dimm0', 'the snapshot\'s devices');
  assertEqual(copies.filter(d => d.is_live()).length, 0, 'a snapshot of descriptions');
  assert(copies[0] !== device && copies[0].equal(device), 'a copy of the live device');
  conn.close();
});

// The figures of a Vmem.MemoryUsage, by property and by getter.
function assertUsage(usage, expected) {
  const what = `node ${expected.node}`;
  for (const [name, value] of Object.entries(expected))
    assertEqual(usage[name], value, `${what}: ${name}`);
  assertEqual(usage.get_node(), expected.node, `${what}: get_node()`);
  assertEqual(usage.get_base(), expected.base, `${what}: get_base()`);
  assertEqual(usage.get_total(), expected.total, `${what}: get_total()`);
  assertEqual(usage.get_virtio_mem_requested(), expected.virtio_mem_requested,
    `${what}: get_virtio_mem_requested()`);
  assertEqual(usage.get_virtio_mem_maximum(), expected.virtio_mem_maximum,
    `${what}: get_virtio_mem_maximum()`);
  assertEqual(usage.get_plugged(Vmem.MemoryModel.DIMM), expected.dimm, `${what}: plugged DIMM`);
  assertEqual(usage.get_plugged(Vmem.MemoryModel.VIRTIO_MEM), expected.virtio_mem,
    `${what}: plugged virtio-mem`);
  for (const model of [Vmem.MemoryModel.NVDIMM, Vmem.MemoryModel.VIRTIO_PMEM, Vmem.MemoryModel.SGX_EPC])
    assertEqual(usage.get_plugged(model), 0, `${what}: plugged model ${model}`);
  assertEqual(usage.nvdimm + usage.virtio_pmem + usage.sgx_epc, 0, `${what}: other models`);
}

test('the domain model opens and closes', () => {
  // The same model throughout: opening fills it and closing empties it,
  // with one items-changed each and no domain-added or domain-removed.
  const conn = Vmem.Connection.new(nodeUri);
  const domains = conn.domains;
  assertEqual(domains.get_n_items(), 0, 'empty before open()');
  const seen = [];
  domains.connect('items-changed', (m, position, removed, added) =>
    seen.push(`items-changed ${position} ${removed} ${added}`));
  conn.connect('domain-added', (c, d) => seen.push(`added ${d.name}`));
  conn.connect('domain-removed', (c, d) => seen.push(`removed ${d.name}`));

  conn.open(null);
  assertEqual(seen.join(';'), 'items-changed 0 0 1', 'open()');
  assertEqual(conn.domains, domains, 'the same model');
  assertEqual([...domains].map(d => d.name).join(','), 'vmem-gjs', 'the domains');

  seen.length = 0;
  conn.close();
  assertEqual(seen.join(';'), 'items-changed 0 1 0', 'close()');
  assertEqual(conn.get_domains(), domains, 'the same model');
  assertEqual(domains.get_n_items(), 0, 'empty after close()');
  assertEqual(conn.find_domain('vmem-gjs'), null, 'find_domain() once closed');
});

// Resolves once @done() holds, as the running main loop dispatches;
// rejects after 10 s.
function waitFor(done, what) {
  const start = GLib.get_monotonic_time();
  return new Promise((resolve, reject) => {
    GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10, () => {
      if (done())
        resolve();
      else if (GLib.get_monotonic_time() - start > 10 * 1000000)
        reject(new Error(`timed out waiting for ${what}`));
      else
        return GLib.SOURCE_CONTINUE;
      return GLib.SOURCE_REMOVE;
    });
  });
}

test('domain-added and domain-removed', async () => {
  // test:///default shares its state within the process: libvirt-gobject
  // defines and undefines a domain beside the library. Its connection
  // class registers libvirt-glib's event loop, which libvirt refuses (with
  // a warning) once the library registered its own. The test packages
  // bring its introspection data (gir1.2-libvirt-glib-1.0).
  imports.gi.versions.LibvirtGObject = '1.0';
  imports.gi.versions.LibvirtGConfig = '1.0';
  const {LibvirtGObject, LibvirtGConfig} = imports.gi;

  const conn = Vmem.Connection.new('test:///default');
  conn.open(null);
  const plain = LibvirtGObject.Connection.new('test:///default');
  plain.open(null);
  const domains = conn.get_domains();
  const n = domains.get_n_items();
  const seen = [];
  domains.connect('items-changed', (m, position, removed, added) =>
    seen.push(`items-changed ${position} ${removed} ${added}`));
  conn.connect('domain-added', (c, d) => seen.push(d));
  conn.connect('domain-removed', (c, d) => seen.push(d));
  try {
    const dom = plain.create_domain(LibvirtGConfig.Domain.new_from_xml(
      "<domain type='test'><name>vmem-gjs-signals</name><memory>524288</memory>" +
      '<os><type>hvm</type></os></domain>'));
    await waitFor(() => seen.length >= 2, 'domain-added');
    const added = conn.find_domain('vmem-gjs-signals');
    assert(added instanceof Vmem.Domain, 'the new domain is in the model');
    // The model changed first, in the same dispatch.
    assertEqual(seen[0], `items-changed ${n} 0 1`, 'items-changed on define');
    assertEqual(seen[1], added, 'domain-added gives the model\'s domain');
    assertEqual(domains.get_item(n), added, 'at the end of the model');
    assertEqual(added.state, Vmem.DomainState.SHUTOFF, 'defined, not running');

    seen.length = 0;
    dom.delete(0);
    await waitFor(() => seen.length >= 2, 'domain-removed');
    assertEqual(seen[0], `items-changed ${n} 1 0`, 'items-changed on undefine');
    assertEqual(seen[1], added, 'domain-removed gives the domain');
    assertEqual(conn.find_domain('vmem-gjs-signals'), null, 'gone from the model');
    assertEqual(domains.get_n_items(), n, 'as many domains as before');
  } finally {
    plain.close();
    conn.close();
  }
});

test('properties and signals by name', async () => {
  const conn = Vmem.Connection.new(nodeUri);
  conn.open(null);
  const domain = conn.lookup_domain('vmem-gjs');
  const device = domain.find_memory_device('ua-vmem0');
  assertEqual(device.requested_size, 128 * 1024 ** 2, 'requested_size');
  assertEqual(device.requestedSize, device.requested_size, 'requestedSize');
  assertEqual(device['requested-size'], device.requested_size, "['requested-size']");
  assertEqual(device.current_size, 0, 'current_size');
  assertEqual(domain.state, Vmem.DomainState.RUNNING, 'state');
  const pspec = GObject.Object.find_property.call(Vmem.VirtioMem, 'current-size');
  assert(pspec.get_blurb().includes('bytes'), 'current-size blurb');

  for (const [name, type] of [['memory-device-size-changed', Vmem.Domain], ['closed', Vmem.Connection],
    ['domain-added', Vmem.Connection], ['domain-removed', Vmem.Connection],
    ['memory-device-size-changed', Vmem.Connection]])
    assert(GObject.signal_lookup(name, type) > 0, `signal ${name}`);
  const id = domain.connect('memory-device-size-changed', (d, dev, size) => {
    throw new Error(`no size change on the test driver: ${dev.alias} ${size}`);
  });
  assert(id > 0, 'connect() gives an id');
  domain.disconnect(id);
  const notifyId = device.connect('notify::current-size', () => {});
  device.disconnect(notifyId);

  const seen = [];
  conn.connect('notify::connected', c => seen.push(`connected=${c.connected}`));
  const closed = new Promise(resolve => conn.connect('closed', (c, reason) => resolve(reason)));
  conn.close();
  assertEqual(await closed, Vmem.CloseReason.CLIENT, "'closed' reason");
  assertEqual(seen.join(','), 'connected=false', 'notify::connected');
});

let failed = 0;
const loop = new GLib.MainLoop(null, false);

async function runTests() {
  print(`1..${tests.length}`);
  for (const [i, {name, fn}] of tests.entries()) {
    try {
      // eslint-disable-next-line no-await-in-loop
      await fn();
      print(`ok ${i + 1} ${name}`);
    } catch (e) {
      failed++;
      print(`not ok ${i + 1} ${name}`);
      for (const line of `${e}\n${e.stack || ''}`.split('\n'))
        print(`# ${line}`);
    }
  }
  print(`# ${tests.length - failed} passed, ${failed} failed`);
}

let timedOut = false;
GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 50, () => {
  timedOut = true;
  loop.quit();
  return GLib.SOURCE_REMOVE;
});
runTests().catch(e => {
  failed++;
  print(`# ${e}`);
}).finally(() => loop.quit());
loop.run();
nodeFile.delete(null);

if (timedOut)
  print('# Bail out! the tests did not finish in 50 s');
if (failed > 0 || timedOut)
  System.exit(1);
