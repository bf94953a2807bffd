/**
 * Identity and same-type Cast on tfjs-backend-wasm share their input's memory instead of copying it, as the
 * cpu backend's Identity does. Why: TF.js's engine clones (Identity) every tensor a gradient will need, and
 * its gradients cast float32 operands to float32; the wasm kernels copied each one — on the sample
 * supernet's training step that was about a tenth of the time. Sharing is safe because TF.js tensors are
 * immutable (a variable's `assign` rebinds its data rather than writing into it) and the wasm backend counts
 * references per data id, freeing memory with the last one (its own Reshape shares data the same way).
 * Casts to another type keep the backend's kernel.
 */

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
type KernelArgs = { inputs: { x: TensorInfo }; backend: { incRef(dataId: object): void }; attrs?: { dtype?: string } };
type KernelFunc = (args: KernelArgs) => TensorInfo;

let installed = false;

/** `tf`: the TF.js core module (typed here by the kernel-registry functions used, so backend.ts can call this without a type cycle). */
export function shareUnchangedTensors(tf: object): void {
  if (installed) return;
  const registry = tf as {
    getKernel(name: string, backend: string): { kernelFunc: KernelFunc } | undefined;
    unregisterKernel(name: string, backend: string): void;
    registerKernel(config: { kernelName: string; backendName: string; kernelFunc: KernelFunc }): void;
  };
  const copyingCast = registry.getKernel('Cast', 'wasm');
  if (!registry.getKernel('Identity', 'wasm') || !copyingCast) return;
  const share: KernelFunc = ({ inputs: { x }, backend }) => {
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  registry.unregisterKernel('Identity', 'wasm');
  registry.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: share });
  registry.unregisterKernel('Cast', 'wasm');
  registry.registerKernel({ kernelName: 'Cast', backendName: 'wasm', kernelFunc: (args) => (args.attrs?.dtype === args.inputs.x.dtype ? share(args) : copyingCast.kernelFunc(args)) });
  installed = true;
}
