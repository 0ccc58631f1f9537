#!/usr/bin/gjs
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// List the memory devices of a libvirt domain XML document as a table.
//
//   gjs list-devices.js guest.xml

imports.gi.versions.Vmem = '1.0';
const {GLib, Vmem} = imports.gi;
const System = imports.system;

function size(bytes) {
    return bytes ? Vmem.size_format(bytes) : '-';
}

// The enum's key, written as libvirt writes the model: VIRTIO_MEM -> virtio-mem.
function modelName(model) {
    const key = Object.keys(Vmem.MemoryModel).find(k => Vmem.MemoryModel[k] === model);
    return key.toLowerCase().replace('_', '-');
}

function main(argv) {
    if (argv.length !== 1 || argv[0] === '--help') {
        print('usage: gjs list-devices.js DOMAIN.xml');
        return argv[0] === '--help' ? 0 : 2;
    }

    let config;
    try {
        const [, bytes] = GLib.file_get_contents(argv[0]);
        config = Vmem.DomainConfig.new_from_xml(new TextDecoder().decode(bytes));
    } catch (e) {
        if (e instanceof GLib.Error && e.matches(Vmem.error_quark(), Vmem.Error.INVALID_XML))
            printerr(`Not a valid domain XML document: ${e.message}`);
        else
            printerr(`Cannot read the domain: ${e.message}`);
        return 1;
    }

    print(`${config.name}: maxMemory ${size(config.max_memory)} in ${config.max_memory_slots} slots`);
    const devices = config.get_memory_devices();
    for (let i = 0; i < devices.get_n_items(); i++) {
        const device = devices.get_item(i);
        let extra = '';
        if (device instanceof Vmem.VirtioMem)
            extra = ` block ${size(device.block_size)} requested ${size(device.requested_size)} current ${size(device.current_size)}`;
        print(`${device.alias ?? '-'} ${modelName(device.model)} ${device.node} ${size(device.size)}${extra}`);
    }
    return 0;
}

System.exit(main(ARGV));
