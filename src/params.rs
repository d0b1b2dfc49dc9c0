//! A model's trainable tensors, visited in a fixed order: what an optimiser and a
//! checkpoint need from a model, and nothing more (PyTorch calls it `model.parameters()`).
//!
//! dfdx 0.13 walks its own layers with `TensorCollection`, but only tensors whose shape is
//! known when the program is compiled. A language model's embedding and output layer have
//! one row per character of the *text*, known only when the text is read, so the models of
//! this crate list their tensors themselves through [`Params`]; a dfdx layer inside them
//! is listed with [`visit_layer`].

use dfdx::nn::tensor_collection::{
    RecursiveWalker, TensorCollection, TensorOptions, TensorVisitor, ViewTensorMut,
};
use dfdx::prelude::*;

/// Something that looks at (or changes) one trainable tensor at a time.
pub trait ParamVisitor<F: Dtype, D: Storage<F>> {
    /// Called once per trainable tensor, in the model's fixed order.
    fn visit<S: Shape>(&mut self, tensor: &mut Tensor<S, F, D>);
}

/// A model whose trainable tensors can be listed.
///
/// Only a mutable walk is required: a read-only walk runs on a clone, which in dfdx shares
/// the tensors' memory instead of copying it.
pub trait Params<F: Dtype, D: Storage<F>>: Clone {
    /// Calls `visitor` on every trainable tensor, always in the same order.
    fn visit_params(&mut self, visitor: &mut impl ParamVisitor<F, D>);
}

/// Lists the trainable tensors of a dfdx layer (a `Linear`, a `LayerNorm1D`…) inside a
/// model, in dfdx's own order.
pub fn visit_layer<F, D, M>(layer: &mut M, visitor: &mut impl ParamVisitor<F, D>)
where
    F: Dtype,
    D: Device<F>,
    M: TensorCollection<F, D>,
{
    struct Bridge<'a, V>(&'a mut V);
    impl<F: Dtype, D: Device<F>, V: ParamVisitor<F, D>> TensorVisitor<F, D> for Bridge<'_, V> {
        type Viewer = ViewTensorMut;
        type Err = D::Err;
        type E2 = F;
        type D2 = D;
        fn visit<S: Shape>(
            &mut self,
            opts: TensorOptions<S, F, D>,
            t: &mut Tensor<S, F, D>,
        ) -> Result<Option<Tensor<S, F, D>>, D::Err> {
            if opts.do_gradient_update {
                self.0.visit(t);
            }
            Ok(None)
        }
    }
    let walked = M::iter_tensors(&mut RecursiveWalker {
        m: layer,
        f: &mut Bridge(visitor),
    });
    // The bridge itself never fails; only a device error could, and none is raised.
    walked.unwrap_or_else(|_| unreachable!("listing tensors allocates nothing"));
}

/// Runs `f` on every trainable tensor of `model` without changing it.
fn inspect<F: Dtype, D: Storage<F>, M: Params<F, D>>(
    model: &M,
    visitor: &mut impl ParamVisitor<F, D>,
) {
    model.clone().visit_params(visitor);
}

/// Host copies of every trainable tensor, in the model's order.
///
/// ```
/// use aigc::dfdx::prelude::*;
/// use aigc::params::parameters;
/// let model = aigc::lstm::CharLstm::<4, 8, 32, f32, Cpu>::new(&Cpu::default(), 5, 0);
/// let p = parameters(&model);
/// assert_eq!(p[0].len(), 5 * 4); // the embedding: one row of 4 numbers per character
/// ```
pub fn parameters<F: Dtype, D: Device<F>, M: Params<F, D>>(model: &M) -> Vec<Vec<F>> {
    struct Copy<F>(Vec<Vec<F>>);
    impl<F: Dtype, D: Device<F>> ParamVisitor<F, D> for Copy<F> {
        fn visit<S: Shape>(&mut self, t: &mut Tensor<S, F, D>) {
            self.0.push(t.as_vec());
        }
    }
    let mut copy = Copy(Vec::new());
    inspect(model, &mut copy);
    copy.0
}

/// The number of axes of every trainable tensor (1 for a bias or a LayerNorm gain, 2 for
/// a weight matrix or an embedding table), in the model's order.
pub fn parameter_ranks<F: Dtype, D: Storage<F>, M: Params<F, D>>(model: &M) -> Vec<usize> {
    struct Ranks(Vec<usize>);
    impl<F: Dtype, D: Storage<F>> ParamVisitor<F, D> for Ranks {
        fn visit<S: Shape>(&mut self, _: &mut Tensor<S, F, D>) {
            self.0.push(S::NUM_DIMS);
        }
    }
    let mut ranks = Ranks(Vec::new());
    inspect(model, &mut ranks);
    ranks.0
}

/// How many numbers the model learns.
pub fn count<F: Dtype, D: Storage<F>, M: Params<F, D>>(model: &M) -> usize {
    struct Count(usize);
    impl<F: Dtype, D: Storage<F>> ParamVisitor<F, D> for Count {
        fn visit<S: Shape>(&mut self, t: &mut Tensor<S, F, D>) {
            self.0 += t.shape().num_elements();
        }
    }
    let mut n = Count(0);
    inspect(model, &mut n);
    n.0
}

/// Writes host values into every trainable tensor, in the model's order; `false` (and the
/// model unchanged) if their number or sizes do not match the model's.
pub fn set_parameters<F: Dtype, D: Device<F>, M: Params<F, D>>(
    model: &mut M,
    values: &[Vec<F>],
) -> bool {
    let sizes: Vec<usize> = parameters(model).iter().map(Vec::len).collect();
    if sizes.len() != values.len() || sizes.iter().zip(values).any(|(n, v)| *n != v.len()) {
        return false;
    }
    struct Set<'a, F>(std::slice::Iter<'a, Vec<F>>);
    impl<F: Dtype, D: Device<F>> ParamVisitor<F, D> for Set<'_, F> {
        fn visit<S: Shape>(&mut self, t: &mut Tensor<S, F, D>) {
            if let Some(v) = self.0.next() {
                t.copy_from(v);
            }
        }
    }
    model.visit_params(&mut Set(values.iter()));
    true
}

/// dfdx's own layers list their tensors in dfdx's order.
macro_rules! dfdx_layer_params {
    ($($layer:ident < $($c:ident),* >),* $(,)?) => {$(
        impl<$(const $c: usize,)* F: Dtype, D: Device<F>> Params<F, D>
            for dfdx::nn::modules::$layer<$($c,)* F, D>
        where
            dfdx::nn::modules::$layer<$($c,)* F, D>: TensorCollection<F, D>,
        {
            fn visit_params(&mut self, visitor: &mut impl ParamVisitor<F, D>) {
                visit_layer(self, visitor);
            }
        }
    )*};
}

dfdx_layer_params!(Linear<I, O>, UnbiasedLinear<I, O>, LayerNorm1D<M>, Embedding<V, M>);
