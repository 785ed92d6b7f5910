// asm/constants.ts is read by both AssemblyScript and TypeScript; to TypeScript its integer types
// are plain numbers.
type u32 = number;
type i32 = number;
