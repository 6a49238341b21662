// Writes N JSON lines into a pipe as fast as it can, in writes of at most
// 4096 bytes (whole lines, like many triggers' atomic writes arriving back to back).
// argv: pipe count
import fs from 'node:fs';
const [pipe, countText] = process.argv.slice(2);
const count = Number(countText);
const fd = fs.openSync(pipe, fs.constants.O_WRONLY);
let batch = '';
for (let i = 0; i < count; i++) {
  const line = `{"table":"news","op":"update","id":${i},"pad":"${'p'.repeat(50)}"}\n`;
  if (batch.length + line.length > 4096) {
    fs.writeSync(fd, batch);
    batch = '';
  }
  batch += line;
}
if (batch) fs.writeSync(fd, batch);
fs.closeSync(fd);
