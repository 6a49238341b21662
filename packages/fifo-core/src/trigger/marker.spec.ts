import { describe, expect, it } from 'vitest';
import { markerStatement, readMarker } from './marker.ts';
import type { TriggerHeader } from './options.ts';

const header: TriggerHeader = {
  v: 1,
  pipe: 'orders',
  on: ['insert', 'update', 'delete'],
  key: ['shop_id', 'order no'],
  columns: ["it's", 'back\\slash'],
  when: "NEW.s <> 'a\"b'\n AND NEW.t = `x`",
  fields: ['ünï'],
  oldFields: [],
};

describe('dbfifo marker', () => {
  it('reads back the options it was written with, whatever characters they hold', () => {
    const body = `BEGIN\n  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;\n  ${markerStatement(header)}\n  DO 1;\nEND`;
    expect(readMarker(body)).toEqual({ kind: 'dbfifo', header });
  });

  it('is one line, so a reader of SHOW CREATE TRIGGER sees it whole', () => {
    expect(markerStatement(header)).not.toContain('\n');
  });

  it("a trigger without it is not dbfifo's; a damaged one is dbfifo's but unreadable", () => {
    expect(readMarker('BEGIN INSERT INTO audit VALUES (NEW.id); END')).toEqual({ kind: 'none' });
    expect(readMarker("BEGIN IF FALSE THEN DO 'something else'; END IF; END")).toEqual({ kind: 'none' });
    expect(readMarker("BEGIN IF FALSE THEN DO 'dbfifo-trigger {broken'; END IF; END")).toMatchObject({ kind: 'unreadable' });
    expect(readMarker(`BEGIN IF FALSE THEN DO 'dbfifo-trigger {"v":1}'; END IF; END`)).toMatchObject({ kind: 'unreadable', reason: /pipe/ });
  });
});
