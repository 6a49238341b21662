// Lines nobody should ever send, grouped by what they try. Text lines reach a
// worker's parse(); binary and overlong ones must be stopped by the framer first.
export const hostileText: Record<string, string[]> = {
  malformed: ['{', '{"id":', '}{', '[]', 'null', '"just a string"', '{"id":null}', '{"id":-1}', '{"id":0}', '{"id":1.5}', '{"id":1e309}',
    '{"id":9007199254740993}', '{"id":"12abc"}', '{"table":42,"op":[],"id":{}}', '{"op":"drop","id":1}', `${'['.repeat(1500)}${']'.repeat(1500)}`],
  injection: ["'; DROP TABLE items; --", '{"id":"1; DROP TABLE items"}', '{"id":"1 OR 1=1"}', '$(rm -rf /tmp/x)', '`id`', '| cat /etc/passwd',
    '../../etc/passwd', '{"table":"news","op":"update","id":1,"slug":"../../../etc/passwd"}', '<script>alert(1)</script>', '{{constructor.constructor("return process")()}}',
    '{"__proto__":{"polluted":true},"id":7}', '{"constructor":{"prototype":{"polluted":true}}}', '1.2.3.4; iptables -F', '0.0.0.0/0', '-j ACCEPT', '--flush',
    '+15551234567; rm -rf /', '\u001b[2J\u001b[31mred', 'a\u0000b', '\u202e\u202dreversed', '%s%s%s%n'],
  unicode: ['\ud800', '\uffff\ufffe', '𝕏'.repeat(500), 'é\u0301'.repeat(300)],
};

/** Raw byte lines (each ends in \n) for the pipe: binary, overlong, at the limit. */
export function hostileBytes(maxLine = 4096): Record<string, Buffer[]> {
  return {
    binary: [
      Buffer.from([0xff, 0xfe, 0xfd, 0x0a]),
      Buffer.from([0xc0, 0x80, 0x41, 0x0a]), // overlong NUL encoding
      Buffer.from([0xed, 0xa0, 0x80, 0x0a]), // UTF-8 encoded surrogate
      Buffer.concat([Buffer.from('{"id":1'), Buffer.from([0x00, 0x80]), Buffer.from('}\n')]),
      Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256).filter((b) => b !== 0x0a).concat([0x0a])),
    ],
    overlong: [
      Buffer.from(`${'x'.repeat(maxLine)}\n`), // limit + 1 with its newline
      Buffer.from(`{"id":1,"pad":"${'y'.repeat(maxLine * 3)}"}\n`),
    ],
    atLimit: [Buffer.from(`{"id":0,"pad":"${'z'.repeat(maxLine - 18)}"}\n`)], // exactly maxLine bytes: accepted by the framer, refused by parse
  };
}
