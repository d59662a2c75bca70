"""Controllers: the kube-controller-manager, scheduler and kubelet behaviour clients observe."""
