import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Server, utils } from 'ssh2';

export type Fault = 'drop' | 'stall' | 'denied' | 'rotated' | 'listing-drop' | 'listing-silent' | 'busy';

/**
 * ssh2's own server on 127.0.0.1, for faults a real sshd cannot be made to show: it lists one
 * file (/logs/ha.log, over a shell and over SFTP) and, over SFTP, drops the connection after the first block, never answers a
 * read, refuses to open it (permission denied), or has rotated it away to /logs/ha.log.1 by the
 * time it is read. Or it drops the connection at, or never answers, the directory read of a
 * listing; or ('busy') it serves a 1 GiB /logs/big.log, and answers a command's prompt 300 ms after
 * the answer came, noting when each read and the answer arrived (`events`). Only the given client
 * key is accepted.
 */
export async function startFaultServer(hostKeyFile: string, clientPubFile: string, fault: Fault): Promise<{ port: number; close: () => Promise<void>; events: Array<{ what: 'read' | 'answer' | 'reply'; at: number }> }> {
  const events: Array<{ what: 'read' | 'answer' | 'reply'; at: number }> = [];
  const allowed = utils.parseKey(readFileSync(clientPubFile));
  if (allowed instanceof Error) throw allowed;
  const content = Buffer.from('2017-10-12 13:45:01,000 INFO  [ha] Local state: Active\n'.repeat(4000));
  const server = new Server({ hostKeys: [readFileSync(hostKeyFile)] }, (client) => {
    client.on('authentication', (ctx) => {
      const ok = ctx.method === 'publickey' && ctx.key.algo === allowed.type && ctx.key.data.equals(allowed.getPublicSSH());
      if (ok) ctx.accept();
      else ctx.reject(['publickey']);
    });
    client.on('error', () => undefined);
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (accept, _reject, info) => {
          const stream = accept();
          if (fault === 'busy') {
            stream.write('\n@@ask@@\n');
            stream.once('data', () => {
              events.push({ what: 'answer', at: Date.now() });
              setTimeout(() => {
                events.push({ what: 'reply', at: Date.now() });
                stream.write('12345\n');
                stream.exit(0);
                stream.end();
              }, 300);
            });
            return;
          }
          // The listing collect asks for: kind, size, mtime, path, each ended by a NUL.
          if (info.command.includes('stat -L -c')) stream.write(`ha\0${content.length}\0${1507815901}\0/logs/ha.log\0`);
          stream.exit(0);
          stream.end();
        });
        session.on('sftp', (accept) => {
          const sftp = accept();
          let sent = false;
          const attrs = { mode: 0o100644, uid: 0, gid: 0, size: content.length, atime: 1507815901, mtime: 1507815901 };
          const gone = (file: string): boolean => fault === 'rotated' && file === '/logs/ha.log';
          sftp.on('OPEN', (reqid, file) => {
            if (fault === 'denied') return sftp.status(reqid, 3, 'Permission denied');
            if (gone(file)) return sftp.status(reqid, 2, 'No such file');
            sftp.handle(reqid, Buffer.from('h1'));
          });
          // The listing collect reads: /logs holds ha.log (as the shell listing above says).
          let listed = false;
          sftp.on('OPENDIR', (reqid, dir) => (dir === '/logs' ? ((listed = false), sftp.handle(reqid, Buffer.from('d1'))) : sftp.status(reqid, 2, 'No such file')));
          sftp.on('READDIR', (reqid) => {
            if (fault === 'listing-drop') return void client.end();
            if (fault === 'listing-silent') return;
            if (listed) return sftp.status(reqid, 1);
            listed = true;
            sftp.name(reqid, [{ filename: 'ha.log', longname: `-rw-r--r-- 1 root root ${content.length} Oct 12 13:45 ha.log`, attrs }]);
          });
          sftp.on('STAT', (reqid, file) => (gone(file) ? sftp.status(reqid, 2, 'No such file') : sftp.attrs(reqid, attrs)));
          sftp.on('LSTAT', (reqid, file) => (gone(file) ? sftp.status(reqid, 2, 'No such file') : sftp.attrs(reqid, attrs)));
          sftp.on('FSTAT', (reqid) => sftp.attrs(reqid, attrs));
          sftp.on('READ', (reqid, _handle, offset, length) => {
            if (fault === 'busy') {
              events.push({ what: 'read', at: Date.now() });
              return sftp.data(reqid, Buffer.alloc(Math.min(length, (1 << 30) - offset), 120));
            }
            if (fault === 'stall') return;
            if (fault === 'rotated') {
              if (offset >= content.length) return sftp.status(reqid, 1);
              return sftp.data(reqid, content.subarray(offset, offset + length));
            }
            if (sent) {
              client.end();
              return;
            }
            sent = true;
            sftp.data(reqid, content.subarray(offset, offset + Math.min(length, 1024)));
          });
          sftp.on('CLOSE', (reqid) => sftp.status(reqid, 0));
        });
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())), events };
}
