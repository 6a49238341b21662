// Two throw-away network namespaces joined by a veth pair: `srv` runs a tiny
// TCP listener and the worker's firewall; `cli` has two IPv4 and two IPv6
// addresses to connect from. Names are unique per run; remove() cleans up.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SRV4 = '10.77.0.1';
export const SRV6 = 'fd77::1';
export const CLI4 = ['10.77.0.2', '10.77.0.3'] as const;
export const CLI6 = ['fd77::2', 'fd77::3'] as const;
export const PORT = 8077;

/** Why namespace tests cannot run here, or undefined when they can. */
export async function netnsUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'not root: network namespaces and iptables need CAP_NET_ADMIN';
  try {
    await run('ip', ['netns', 'list']);
    await run('nsenter', ['--version']); // the worker enters FIREWALL_NETNS with it
    await run('ipset', ['--version']);
    await run('iptables', ['--version']);
  } catch (e) {
    return `ip netns / ipset / iptables unavailable: ${(e as Error).message}`;
  }
  return undefined;
}

export class TestNet {
  readonly srv: string;
  readonly cli: string;
  private listener: ChildProcess | undefined;

  constructor(tag: string) {
    const id = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    this.srv = `fw-${tag}-srv-${id}`;
    this.cli = `fw-${tag}-cli-${id}`;
  }

  private ns(ns: string, ...argv: string[]) {
    return run('ip', ['netns', 'exec', ns, ...argv]);
  }

  async create(): Promise<void> {
    await run('ip', ['netns', 'add', this.srv]);
    await run('ip', ['netns', 'add', this.cli]);
    await run('ip', ['link', 'add', 'fwv-s', 'netns', this.srv, 'type', 'veth', 'peer', 'name', 'fwv-c', 'netns', this.cli]);
    await this.ns(this.srv, 'ip', 'addr', 'add', `${SRV4}/24`, 'dev', 'fwv-s');
    await this.ns(this.srv, 'ip', '-6', 'addr', 'add', `${SRV6}/64`, 'dev', 'fwv-s', 'nodad');
    for (const a of CLI4) await this.ns(this.cli, 'ip', 'addr', 'add', `${a}/24`, 'dev', 'fwv-c');
    for (const a of CLI6) await this.ns(this.cli, 'ip', '-6', 'addr', 'add', `${a}/64`, 'dev', 'fwv-c', 'nodad');
    for (const [ns, dev] of [[this.srv, 'fwv-s'], [this.cli, 'fwv-c']] as const) {
      await this.ns(ns, 'ip', 'link', 'set', 'lo', 'up');
      await this.ns(ns, 'ip', 'link', 'set', dev, 'up');
    }
    await this.pinIpv6Neighbours();
    const script = `require('net').createServer((s) => s.end('ok\\n')).listen(${PORT}, '::', () => console.log('listening'))`;
    this.listener = spawn('ip', ['netns', 'exec', this.srv, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      this.listener!.stdout!.once('data', () => resolve());
      this.listener!.once('exit', (code) => reject(new Error(`listener exited with ${code}`)));
    });
  }

  /**
   * A ban in INPUT also drops the banned address's neighbour solicitations.
   * Both client addresses share one interface, so the client's entry for the
   * server stays INCOMPLETE after a banned probe and the next probe from the
   * *other* address queues behind it and times out (seen as a flaky
   * "allowed address refused"). Permanent entries take neighbour discovery
   * out of the picture; the tests are about the filter's decision on TCP.
   */
  private async pinIpv6Neighbours(): Promise<void> {
    const mac = async (ns: string, dev: string) => JSON.parse((await this.ns(ns, 'ip', '-j', 'link', 'show', dev)).stdout)[0].address as string;
    const srvMac = await mac(this.srv, 'fwv-s');
    const cliMac = await mac(this.cli, 'fwv-c');
    await this.ns(this.cli, 'ip', '-6', 'neigh', 'replace', SRV6, 'lladdr', srvMac, 'dev', 'fwv-c', 'nud', 'permanent');
    for (const a of CLI6) await this.ns(this.srv, 'ip', '-6', 'neigh', 'replace', a, 'lladdr', cliMac, 'dev', 'fwv-s', 'nud', 'permanent');
  }

  /** TCP connect from `from` (a client address) to the server; true when the server answered. */
  async connect(from: string, timeoutS = 1): Promise<boolean> {
    const v6 = from.includes(':');
    const target = v6 ? `TCP6:[${SRV6}]:${PORT},bind=[${from}],connect-timeout=${timeoutS}` : `TCP4:${SRV4}:${PORT},bind=${from},connect-timeout=${timeoutS}`;
    try {
      const { stdout } = await this.ns(this.cli, 'socat', '-T', '1', '-u', target, 'STDOUT');
      return stdout.trim() === 'ok';
    } catch {
      return false;
    }
  }

  /** Any command inside the server namespace (inspecting ipset / iptables). */
  async inSrv(...argv: string[]): Promise<string> {
    return (await this.ns(this.srv, ...argv)).stdout;
  }

  async remove(): Promise<void> {
    this.listener?.kill();
    for (const ns of [this.srv, this.cli]) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  }
}
