// vitest setupFiles entry (every vitest config lists it): the temporary
// folders a test file made are removed once the file's last hook has run.
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dir.ts';

afterAll(removeTempDirs);
