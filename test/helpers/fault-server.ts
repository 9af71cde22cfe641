import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Server, utils } from 'ssh2';

export type Fault = 'drop' | 'stall';

/**
 * ssh2's own server on 127.0.0.1, for faults a real sshd cannot be made to show: it lists one
 * file (/logs/ha.log) and, over SFTP, either drops the connection after the first block or
 * never answers a read. Only the given client key is accepted.
 */
export async function startFaultServer(hostKeyFile: string, clientPubFile: string, fault: Fault): Promise<{ port: number; close: () => Promise<void> }> {
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
          if (info.command.includes('stat -c')) stream.write(`ha\t${content.length}\t1507815901\t/logs/ha.log\n`);
          stream.exit(0);
          stream.end();
        });
        session.on('sftp', (accept) => {
          const sftp = accept();
          let sent = false;
          const attrs = { mode: 0o100644, uid: 0, gid: 0, size: content.length, atime: 1507815901, mtime: 1507815901 };
          sftp.on('OPEN', (reqid) => sftp.handle(reqid, Buffer.from('h1')));
          sftp.on('STAT', (reqid) => sftp.attrs(reqid, attrs));
          sftp.on('LSTAT', (reqid) => sftp.attrs(reqid, attrs));
          sftp.on('FSTAT', (reqid) => sftp.attrs(reqid, attrs));
          sftp.on('READ', (reqid, _handle, offset, length) => {
            if (fault === 'stall') return;
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
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}
