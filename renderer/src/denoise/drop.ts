// Files from a drop: plain files, and whole folders walked recursively (multi-drop of both).
// Folders come through the File System Entries API; only image files are kept from them.

const IMAGE = /\.(png|jpe?g|webp|tiff?|avif|gif)$/i;

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries answers in chunks (100 in Chromium) until it answers an empty list.
  return new Promise((resolve, reject) => {
    const out: FileSystemEntry[] = [];
    const more = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(out);
        else {
          out.push(...batch);
          more();
        }
      }, reject);
    more();
  });
}

async function walk(entry: FileSystemEntry, out: File[]): Promise<void> {
  if (entry.isFile) {
    if (!IMAGE.test(entry.name)) return;
    out.push(await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej)));
  } else if (entry.isDirectory) {
    const children = await readAll((entry as FileSystemDirectoryEntry).createReader());
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const c of children) await walk(c, out);
  }
}

/** Every file of a drop, folders expanded. Dropped files are kept as they are (a bad one gets a message). */
export async function filesFromDrop(dt: DataTransfer): Promise<File[]> {
  const entries = [...dt.items].filter((i) => i.kind === 'file').map((i) => i.webkitGetAsEntry?.() ?? null);
  // Synthetic drops (and some platforms) have no entries: use the plain file list.
  if (entries.length === 0 || entries.some((e) => e === null)) return [...dt.files];
  const out: File[] = [];
  for (const e of entries) {
    if (e!.isFile) out.push(await new Promise<File>((res, rej) => (e as FileSystemFileEntry).file(res, rej)));
    else await walk(e!, out);
  }
  return out;
}
