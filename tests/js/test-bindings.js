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
// domain and code, properties and signals by name. Prints TAP and exits
// non-zero when a test fails.
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

// A running domain with a virtio-mem device and a DIMM, for libvirt's test
// driver through a test:///FILE URI. The driver keeps only aliases that
// start with "ua-".
const nodeXml = `<node>
  <domain type='test'>
    <name>vmem-gjs</name>
    <uuid>7d4a2b1c-0e9f-4a8b-9c7d-6e5f4a3b2c1d</uuid>
    <maxMemory slots='16' unit='GiB'>16</maxMemory>
    <memory unit='MiB'>2048</memory>
    <currentMemory unit='MiB'>512</currentMemory>
    <vcpu>1</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <cpu><numa><cell id='0' cpus='0' memory='512' unit='MiB'/></numa></cpu>
    <devices>
      <memory model='virtio-mem'>
        <target><size unit='GiB'>1</size><node>0</node>
          <block unit='KiB'>2048</block><requested unit='MiB'>128</requested></target>
        <alias name='ua-vmem0'/>
      </memory>
      <memory model='dimm'>
        <target><size unit='MiB'>512</size><node>0</node></target>
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
  assertEqual(domains, conn.domains, 'the domains property');
  assertEqual([...domains].map(d => d.name).join(','), 'vmem-gjs', 'for...of domains');

  const domain = conn.lookup_domain('vmem-gjs');
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
  description.requested_size = 256 * 1024 ** 2;
  assertEqual(description.get_requested_size(), 256 * 1024 ** 2, 'requested size set');

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
  assertEqual(device.domain, conn.find_domain('vmem-gjs'), 'the domain property');
  assertEqual(conn.find_domain('no-such-domain'), null, 'find_domain() of no domain');
  const e = assertThrowsVmem(() => device.set_requested_size(256 * 1024 ** 2, Vmem.AffectFlags.LIVE, null),
    Vmem.Error.NOT_SUPPORTED, 'libvirt refuses to resize on the test driver');
  assert(Vmem.error_get_libvirt_code(e) > 0, 'the refusal is libvirt\'s');

  const copy = device.copy();
  assert(copy instanceof Vmem.VirtioMem && !copy.is_live(), 'a copy is a description');
  assertEqual(copy.domain, null, 'a description has no domain');
  assert(copy.equal(device), 'equal to the live device');

  // From the test's XML: 512 MiB on node 0, a 1 GiB virtio-mem device
  // asked for 128 MiB, a 512 MiB DIMM, 16 GiB and 16 slots at most.
  const domain = device.domain;
  const memory = domain.memory;
  assertEqual(memory, domain.get_memory(), 'the memory property');
  assertEqual(memory.node, -1, 'the whole domain');
  assertEqual(memory.base, 512 * 1024 ** 2, 'base');
  assertEqual(memory.dimm, 512 * 1024 ** 2, 'dimm');
  assertEqual(memory.get_plugged(Vmem.MemoryModel.DIMM), memory.dimm, 'get_plugged()');
  assertEqual(memory.virtio_mem, 0, 'virtio-mem plugged');
  assertEqual(memory.virtio_mem_requested, 128 * 1024 ** 2, 'virtio-mem requested');
  assertEqual(memory.virtio_mem_maximum, 1024 ** 3, 'virtio-mem maximum');
  assertEqual(memory.total, 1024 ** 3, 'total');
  const nodes = [...domain.get_numa_nodes()];
  assertEqual(nodes.map(n => n.node).join(','), '0', 'numa nodes');
  assertEqual(nodes[0].total, 1024 ** 3, 'node 0 total');
  assertEqual(domain.max_memory, 16 * 1024 ** 3, 'max-memory');
  assertEqual(domain.memory_slots, 16, 'memory-slots');
  assertEqual(domain.free_memory_slots, 14, 'free-memory-slots');
  assertEqual(domain.hotplug_headroom, 14 * 1024 ** 3, 'hotplug-headroom');

  const config = domain.dup_config();
  assertEqual([...config.get_memory_devices()].filter(d => d.is_live()).length, 0, 'a snapshot of descriptions');
  conn.close();
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
