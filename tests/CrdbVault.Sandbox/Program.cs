// Entry point: `demo` (the README's main job) and `serve`. Filled in by the sandbox work.
return 0;
