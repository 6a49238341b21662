// Loads and compiles the Handlebars templates once. Each Templates instance
// has its own Handlebars environment, so partials and helpers of one site
// never leak into another (tests run several side by side).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';

/** The files a template folder must contain; partials/*.hbs are optional and registered by file name. */
export const TEMPLATE_FILES = ['layout.hbs', 'article.hbs', 'index.hbs', 'sitemap.xml.hbs'] as const;

type Render = (context: object) => string;

const dateFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function toDate(us: unknown): Date | undefined {
  return typeof us === 'number' && Number.isFinite(us) ? new Date(Math.floor(us / 1000)) : undefined;
}

export class Templates {
  private constructor(
    readonly dir: string,
    /** sha256 over every template source: part of the output marker, so a template change re-renders all pages. */
    readonly hash: string,
    readonly layout: Render,
    readonly article: Render,
    readonly index: Render,
    readonly sitemap: Render,
  ) {}

  static async load(dir: string): Promise<Templates> {
    const hb = Handlebars.create();
    const digest = createHash('sha256');
    hb.registerHelper('date', (us: unknown) => {
      const d = toDate(us);
      return d ? dateFmt.format(d) : '';
    });
    hb.registerHelper('isoDate', (us: unknown) => toDate(us)?.toISOString() ?? '');
    hb.registerHelper('day', (us: unknown) => toDate(us)?.toISOString().slice(0, 10) ?? '');

    const partialDir = join(dir, 'partials');
    const partialNames = (await readdir(partialDir).catch(() => [] as string[])).filter((f) => f.endsWith('.hbs')).sort();
    for (const file of partialNames) {
      const source = await readFile(join(partialDir, file), 'utf8');
      digest.update(`partials/${file}\0${source}\0`);
      // compile() is lazy and a partial used only inside a loop is not reached
      // by the trial render below: parse each one now so a syntax error stops
      // the start (or a dev reload), naming the file.
      try {
        hb.parse(source);
      } catch (err) {
        throw new Error(`template ${join(partialDir, file)}: ${(err as Error).message}`, { cause: err });
      }
      hb.registerPartial(file.slice(0, -'.hbs'.length), hb.compile(source, { strict: false }));
    }

    const compiled: Render[] = [];
    for (const file of TEMPLATE_FILES) {
      let source: string;
      try {
        source = await readFile(join(dir, file), 'utf8');
      } catch (err) {
        throw new Error(`template folder ${dir} has no ${file} (needs ${TEMPLATE_FILES.join(', ')})`, { cause: err });
      }
      digest.update(`${file}\0${source}\0`);
      const template = hb.compile(source);
      // compile() is lazy: force it now so a syntax error surfaces at start, naming the file
      try {
        template({});
      } catch (err) {
        throw new Error(`template ${join(dir, file)}: ${(err as Error).message}`, { cause: err });
      }
      compiled.push(template);
    }
    const [layout, article, index, sitemap] = compiled as [Render, Render, Render, Render];
    return new Templates(dir, digest.digest('hex'), layout, article, index, sitemap);
  }
}
