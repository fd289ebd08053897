// openapi-typescript needs the TypeScript 5 compiler API; the project's own `typescript` is the
// native TypeScript 7 compiler, which has none. Resolve its `typescript` to the typescript5 alias.
export async function resolve(specifier, context, next) {
  return next(specifier === 'typescript' ? 'typescript5' : specifier, context);
}
