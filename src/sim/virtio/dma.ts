// Guest kernel memory the device reads (rings, the driver's pfns[] and stats[]) comes from the backed
// window of guest RAM: a bump allocator over it stands in for kmalloc / dma_alloc_coherent.
import { asGpa, type Gpa } from '../../core/units.ts';

export class WindowAllocator {
  private next: number;
  constructor(
    readonly base: Gpa,
    readonly size: number,
  ) {
    this.next = base;
  }

  /** `size` bytes aligned to `align` (a power of two); throws when the window is full. */
  alloc(size: number, align = 16): Gpa {
    const at = (this.next + align - 1) & -align;
    if (at + size > this.base + this.size) {
      throw new Error(`kernel data window full: ${size} bytes wanted, ${this.base + this.size - at} left`);
    }
    this.next = at + size;
    return asGpa(at);
  }

  /** Everything allocated after `mark` is forgotten (del_vqs frees the rings). */
  mark(): number {
    return this.next;
  }

  release(mark: number): void {
    this.next = mark;
  }
}
