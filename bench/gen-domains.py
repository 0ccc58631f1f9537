#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# gen-domains.py: write a libvirt test-driver file of many domains, each
# with memory devices of mixed models, for the benchmarks.
#
#   gen-domains.py OUTPUT N-DOMAINS [DEVICES-PER-DOMAIN]
#
# The file is a test-driver <node> document (open it as
# test:///ABSOLUTE/PATH): every domain is a realistic KVM guest with disks,
# interfaces and controllers around its memory devices, so parsers see the
# mix of elements a real domain has. Device models cycle through
# virtio-mem, dimm, nvdimm and virtio-pmem, each with a source, a target,
# an alias and an address, as libvirt writes them for a running guest.

import sys
import uuid

GiB_KiB = 1024 * 1024
GiB = 1024 * GiB_KiB * 1024
# Guest-physical addresses: DIMMs from 4 GiB up, a GiB each; virtio-mem
# regions from 256 GiB up, 4 GiB each, so that none overlaps another
# (libvirt 9.0 takes overlapping ones, 11.3 refuses them).
DIMM_BASE = 4 * GiB
VIRTIO_MEM_BASE = 256 * GiB


def device(d, k):
    model = ('virtio-mem', 'dimm', 'nvdimm', 'virtio-pmem')[k % 4]
    node = k % 2
    if model == 'virtio-mem':
        return f"""    <memory model='virtio-mem'>
      <source>
        <nodemask>0-1</nodemask>
        <pagesize unit='KiB'>2048</pagesize>
      </source>
      <target>
        <size unit='KiB'>{4 * GiB_KiB}</size>
        <node>{node}</node>
        <block unit='KiB'>2048</block>
        <requested unit='KiB'>{GiB_KiB}</requested>
        <current unit='KiB'>{GiB_KiB}</current>
        <address base='0x{VIRTIO_MEM_BASE + k * 4 * GiB:x}'/>
      </target>
      <alias name='ua-virtiomem{k}'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x{8 + k:02x}' function='0x0'/>
    </memory>
"""
    if model == 'dimm':
        return f"""    <memory model='dimm' discard='yes'>
      <source>
        <pagesize unit='KiB'>2048</pagesize>
      </source>
      <target>
        <size unit='KiB'>{GiB_KiB}</size>
        <node>{node}</node>
      </target>
      <alias name='ua-dimm{k}'/>
      <address type='dimm' slot='{k}' base='0x{DIMM_BASE + k * GiB:x}'/>
    </memory>
"""
    if model == 'nvdimm':
        return f"""    <memory model='nvdimm' access='shared'>
      <source>
        <path>/var/lib/libvirt/nvdimm/guest{d}-{k}.img</path>
        <alignsize unit='KiB'>2048</alignsize>
        <pmem/>
      </source>
      <target>
        <size unit='KiB'>{GiB_KiB // 2}</size>
        <node>{node}</node>
        <label>
          <size unit='KiB'>128</size>
        </label>
      </target>
      <alias name='ua-nvdimm{k}'/>
      <address type='dimm' slot='{k}'/>
    </memory>
"""
    return f"""    <memory model='virtio-pmem' access='shared'>
      <source>
        <path>/var/lib/libvirt/pmem/guest{d}-{k}.img</path>
      </source>
      <target>
        <size unit='KiB'>{GiB_KiB // 2}</size>
      </target>
      <alias name='ua-virtiopmem{k}'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x{8 + k:02x}' function='0x0'/>
    </memory>
"""


# The target sizes of device(), in KiB, by model.
SIZES = (4 * GiB_KiB, GiB_KiB, GiB_KiB // 2, GiB_KiB // 2)


def domain(d, n_devices):
    devices = ''.join(device(d, k) for k in range(n_devices))
    # libvirt counts the devices' sizes in <memory>.
    memory = 4 * GiB_KiB + sum(SIZES[k % 4] for k in range(n_devices))
    return f"""  <domain type='test'>
    <name>guest{d:05d}</name>
    <uuid>{uuid.UUID(int=(0xbe9c << 112) + d)}</uuid>
    <metadata>
      <app:owner xmlns:app='http://example.org/app/1'>team-{d % 7}</app:owner>
    </metadata>
    <maxMemory slots='16' unit='KiB'>{64 * GiB_KiB}</maxMemory>
    <memory unit='KiB'>{memory}</memory>
    <currentMemory unit='KiB'>{memory}</currentMemory>
    <vcpu placement='static'>4</vcpu>
    <os>
      <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
      <boot dev='hd'/>
    </os>
    <features>
      <acpi/>
      <apic/>
    </features>
    <cpu mode='host-model' check='partial'>
      <topology sockets='2' dies='1' cores='2' threads='1'/>
      <numa>
        <cell id='0' cpus='0-1' memory='{2 * GiB_KiB}' unit='KiB'/>
        <cell id='1' cpus='2-3' memory='{2 * GiB_KiB}' unit='KiB'/>
      </numa>
    </cpu>
    <clock offset='utc'>
      <timer name='rtc' tickpolicy='catchup'/>
      <timer name='pit' tickpolicy='delay'/>
    </clock>
    <on_poweroff>destroy</on_poweroff>
    <on_reboot>restart</on_reboot>
    <on_crash>destroy</on_crash>
    <devices>
      <disk type='file' device='disk'>
        <driver name='qemu' type='qcow2' discard='unmap'/>
        <source file='/var/lib/libvirt/images/guest{d:05d}.qcow2'/>
        <target dev='vda' bus='virtio'/>
        <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
      </disk>
      <disk type='file' device='cdrom'>
        <driver name='qemu' type='raw'/>
        <target dev='sda' bus='sata'/>
        <readonly/>
        <address type='drive' controller='0' bus='0' target='0' unit='0'/>
      </disk>
      <controller type='usb' index='0' model='qemu-xhci' ports='15'>
        <address type='pci' domain='0x0000' bus='0x02' slot='0x00' function='0x0'/>
      </controller>
      <controller type='pci' index='0' model='pcie-root'/>
      <controller type='sata' index='0'>
        <address type='pci' domain='0x0000' bus='0x00' slot='0x1f' function='0x2'/>
      </controller>
      <interface type='network'>
        <mac address='52:54:00:{d >> 16 & 255:02x}:{d >> 8 & 255:02x}:{d & 255:02x}'/>
        <source network='default'/>
        <model type='virtio'/>
        <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
      </interface>
      <serial type='pty'>
        <target type='isa-serial' port='0'>
          <model name='isa-serial'/>
        </target>
      </serial>
      <console type='pty'>
        <target type='serial' port='0'/>
      </console>
      <channel type='unix'>
        <target type='virtio' name='org.qemu.guest_agent.0'/>
        <address type='virtio-serial' controller='0' bus='0' port='1'/>
      </channel>
      <input type='tablet' bus='usb'>
        <address type='usb' bus='0' port='1'/>
      </input>
      <graphics type='vnc' port='-1' autoport='yes'>
        <listen type='address'/>
      </graphics>
      <video>
        <model type='virtio' heads='1' primary='yes'/>
        <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>
      </video>
      <memballoon model='virtio'>
        <address type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x0'/>
      </memballoon>
      <rng model='virtio'>
        <backend model='random'>/dev/urandom</backend>
        <address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='0x0'/>
      </rng>
{devices}    </devices>
  </domain>
"""


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit('usage: gen-domains.py OUTPUT N-DOMAINS [DEVICES-PER-DOMAIN]')
    out, n = sys.argv[1], int(sys.argv[2])
    per = int(sys.argv[3]) if len(sys.argv) == 4 else 4
    with open(out, 'w') as f:
        f.write('<node>\n')
        for d in range(n):
            f.write(domain(d, per))
        f.write('</node>\n')


if __name__ == '__main__':
    main()
