import { strict as assert } from 'node:assert';
import { parseDf, parseFree } from '../../src/sources/facts';

// Real output of df -P and free -m on the machine these tests were written on (Debian 12, procps 4).
const DF = "Filesystem              1024-blocks     Used Available Capacity Mounted on\ndevtmpfs                   12334460        0  12334460       0% /dev\ntmpfs                      24684084        0  24684084       0% /dev/shm\n/dev/vda                  264212084 24302132  82088780      23% /\nmodel_tools_unavailable           4        0         4       0% /mnt/sandboxing/model_tools_env/v1/python\ntmpfs                      12342040        0  12342040       0% /sys/fs/cgroup\ntmpfs                         61440    61440         0     100% /tmp/mdb-extra.Nwl0np/replica-disk-full/replica/data\n";
const FREE = "               total        used        free      shared  buff/cache   available\nMem:           24105         561       23135          68         759       23544\nSwap:              0           0           0\n";

describe('facts', () => {
  it('reads how full each disk was, leaving out memory file systems and loop images', () => {
    const disks = parseDf(DF);
    assert.ok(disks.some((d) => d.mount === '/' && d.percent >= 0 && d.percent <= 100), JSON.stringify(disks));
    assert.ok(!disks.some((d) => d.mount.startsWith('/dev')), 'devtmpfs and tmpfs are not disks');
    assert.deepEqual(parseDf('Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda3 1000 990 10 99% /var/lib/mysql\n/dev/loop0 100 100 0 100% /snap/x\n'), [{ mount: '/var/lib/mysql', percent: 99 }]);
  });

  it('reads total and available memory', () => {
    const m = parseFree(FREE)!;
    assert.ok(m.totalMb > 0 && m.availableMb > 0 && m.availableMb <= m.totalMb, JSON.stringify(m));
    // procps before 3.3.10 has no "available" column: free, buffers and cached stand for it.
    assert.deepEqual(parseFree('             total       used       free     shared    buffers     cached\nMem:          7872       7700        100          0         20         30\n'), { totalMb: 7872, availableMb: 150 });
    assert.equal(parseFree('nonsense'), undefined);
  });
});
