// The library's rows: the filter's total count and the pages loaded so far,
// a page at a time as the grid scrolls towards them. Only what the grid
// shows is rendered; pages are fetched in order (the API pages by cursor),
// never more than one ahead of the visible rows.
import { followAssets, listAssets, type AssetCard, type AssetFilter } from './assets';

const pageSize = 100;

export class LibraryRows {
  filter = $state<AssetFilter>({});
  items = $state<AssetCard[]>([]);
  total = $state(0);
  loading = $state(false);
  error = $state<Error | null>(null);
  loaded = $state(false);
  private cursor: string | null = null;
  private hasNext = true;
  private generation = 0;
  private abort: AbortController | null = null;
  private stop: (() => void) | null = null;

  /** Starts over with a new filter. */
  async reset(filter: AssetFilter) {
    this.filter = filter;
    this.generation++;
    this.abort?.abort();
    this.loading = false;
    this.items = [];
    this.total = 0;
    this.cursor = null;
    this.hasNext = true;
    this.loaded = false;
    this.error = null;
    await this.ensure(pageSize);
  }

  /** Loads pages until at least count rows are here (or there are no more). */
  async ensure(count: number) {
    if (this.loading) return;
    const gen = this.generation;
    while (this.hasNext && this.items.length < count && gen === this.generation) {
      this.loading = true;
      this.abort = new AbortController();
      try {
        const p = await listAssets(this.filter, pageSize, this.cursor, this.abort.signal);
        if (gen !== this.generation) return;
        const have = new Set(this.items.map((a) => a.id));
        this.items.push(...p.items.filter((a) => !have.has(a.id)));
        this.total = p.total;
        this.cursor = p.endCursor;
        this.hasNext = p.hasNext;
        this.loaded = true;
      } catch (e) {
        if ((e as Error).name !== 'AbortError' && gen === this.generation) this.error = e as Error;
        return;
      } finally {
        if (gen === this.generation) this.loading = false;
      }
    }
  }

  /** A new or changed asset: updated in place, or put first when new and it fits the filter. */
  upsert(a: AssetCard, isNew = false) {
    const i = this.items.findIndex((x) => x.id === a.id);
    if (i >= 0) this.items[i] = a;
    else if (isNew && this.fits(a)) {
      this.items.unshift(a);
      this.total++;
    }
  }

  remove(id: string) {
    const i = this.items.findIndex((x) => x.id === id);
    if (i >= 0) {
      this.items.splice(i, 1);
      this.total--;
    }
  }

  private fits(a: AssetCard): boolean {
    const f = this.filter;
    if (f.sort && f.sort !== 'NEWEST') return false; // a new upload's place is elsewhere in this order
    if (f.status && a.status !== f.status) return false;
    return !f.search;
  }

  /** Follows live changes of every asset until stopped. */
  follow(onAsset?: (a: AssetCard) => void) {
    this.stop?.();
    this.stop = followAssets(null, (a) => {
      this.upsert(a);
      onAsset?.(a);
    });
  }

  unfollow() {
    this.stop?.();
    this.stop = null;
  }
}
