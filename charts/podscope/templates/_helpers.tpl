{{/* Names and labels shared by every template. */}}

{{- define "podscope.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Cluster-scoped objects: the namespace is in the name, so two releases never collide. */}}
{{- define "podscope.clusterScopedName" -}}
{{- printf "%s-%s" (include "podscope.fullname" .) .Release.Namespace -}}
{{- end -}}

{{- define "podscope.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Not app.kubernetes.io/managed-by=podscope: that label marks the debug pods Podscope creates. */}}
{{- define "podscope.labels" -}}
{{ include "podscope.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "podscope.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "podscope.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "podscope.tokenSecret" -}}
{{- default (printf "%s-token" (include "podscope.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}

{{- define "podscope.sessionKeySecret" -}}
{{- default (printf "%s-session-key" (include "podscope.fullname" .)) .Values.auth.sessionKeySecret -}}
{{- end -}}

{{/* People sign in (token-login or oidc): sessions in the database, sealed with the session key. */}}
{{- define "podscope.tokenLogin" -}}
{{- if or (eq .Values.auth.mode "token-login") (eq .Values.auth.mode "oidc") -}}true
{{- else if ne .Values.auth.mode "access-token" -}}
{{- fail (printf "auth.mode is token-login, oidc or access-token (got %q)" .Values.auth.mode) -}}
{{- end -}}
{{- end -}}

{{/*
Replicas share login sessions only through PostgreSQL: with SQLite (no database), each pod would know
only the sign-ins made on it, and people would be signed out whenever round-robin sent them elsewhere.
*/}}
{{- define "podscope.checkReplicas" -}}
{{- if and (gt (int .Values.replicaCount) 1) (include "podscope.tokenLogin" .) (not (or .Values.database.url .Values.database.existingSecret)) -}}
{{- fail (printf "replicaCount=%d with auth.mode=%s needs a database (database.url or database.existingSecret, PostgreSQL): without one each replica keeps its login sessions in SQLite of its own, so a sign-in on one would be unknown to the others. Set a database, or replicaCount=1." (int .Values.replicaCount) .Values.auth.mode) -}}
{{- end -}}
{{- end -}}

{{/* Single sign-on (auth.mode=oidc), its settings checked. */}}
{{- define "podscope.oidc" -}}
{{- if eq .Values.auth.mode "oidc" -}}
{{- if not .Values.auth.oidc.issuer -}}{{- fail "auth.mode=oidc needs auth.oidc.issuer (the provider's issuer URL, https://…)" -}}{{- end -}}
{{- if not .Values.auth.oidc.clientId -}}{{- fail "auth.mode=oidc needs auth.oidc.clientId" -}}{{- end -}}
{{- if not (include "podscope.publicUrl" .) -}}{{- fail "auth.mode=oidc needs auth.publicUrl (or an Ingress): the provider sends people back to <publicUrl>/auth/callback" -}}{{- end -}}
{{- if not (has .Values.auth.oidc.identityMode (list "impersonation" "token")) -}}{{- fail (printf "auth.oidc.identityMode is impersonation or token (got %q)" .Values.auth.oidc.identityMode) -}}{{- end -}}
true
{{- end -}}
{{- end -}}

{{/* Impersonation: Podscope's ServiceAccount acts as each person (the ClusterRole gains `impersonate`). */}}
{{- define "podscope.impersonates" -}}
{{- if and (include "podscope.oidc" .) (eq .Values.auth.oidc.identityMode "impersonation") -}}true{{- end -}}
{{- end -}}

{{/* The URL people open: auth.publicUrl, else the Ingress host; empty when neither is known. */}}
{{- define "podscope.publicUrl" -}}
{{- if .Values.auth.publicUrl -}}{{ .Values.auth.publicUrl }}
{{- else if .Values.ingress.enabled -}}{{ if .Values.ingress.tls }}https{{ else }}http{{ end }}://{{ .Values.ingress.host }}
{{- end -}}
{{- end -}}

{{- define "podscope.databaseSecret" -}}
{{- default (printf "%s-database" (include "podscope.fullname" .)) .Values.database.existingSecret -}}
{{- end -}}

{{/* The config file: only the sections given, so Podscope's defaults apply to the rest. */}}
{{- define "podscope.configJson" -}}
{{- $config := dict -}}
{{- range $section, $value := .Values.config -}}
{{- if $value -}}{{- $_ := set $config $section $value -}}{{- end -}}
{{- end -}}
{{- /* The replicas elect their leader on the Lease the Role in rbac.yaml grants. */ -}}
{{- $replicas := deepCopy (default (dict) .Values.config.replicas) -}}
{{- $_ := set $replicas "leaderElection" (dict "namespace" .Release.Namespace "name" (include "podscope.leaseName" .)) -}}
{{- $_ := set $config "replicas" $replicas -}}
{{- if include "podscope.tokenLogin" . -}}
{{- $auth := dict "idleTimeoutMinutes" (int .Values.auth.idleTimeoutMinutes) "absoluteTimeoutMinutes" (int .Values.auth.absoluteTimeoutMinutes) "loginAttempts" (dict "perClient" (int .Values.auth.loginAttempts.perClient) "windowSeconds" (int .Values.auth.loginAttempts.windowSeconds)) "streamCheckSeconds" (int (default 15 .Values.auth.streamCheckSeconds)) -}}
{{- if include "podscope.oidc" . -}}
{{- $o := .Values.auth.oidc -}}
{{- $oidc := dict "issuer" $o.issuer "clientId" $o.clientId "scopes" $o.scopes "usernameClaim" $o.usernameClaim "groupsClaim" $o.groupsClaim "identityMode" $o.identityMode -}}
{{- if $o.providerName -}}{{- $_ := set $oidc "providerName" $o.providerName -}}{{- end -}}
{{- if $o.clientSecret.secretName -}}{{- $_ := set $oidc "clientSecretFile" "/var/run/podscope/oidc-client/client-secret" -}}{{- end -}}
{{- if $o.ca.configMapName -}}{{- $_ := set $oidc "caFile" "/var/run/podscope/oidc-ca/ca.crt" -}}{{- end -}}
{{- $_ := set $auth "oidc" $oidc -}}
{{- end -}}
{{- $_ := set $config "auth" $auth -}}
{{- end -}}
{{- toPrettyJson $config -}}
{{- end -}}

{{/* The coordination.k8s.io Lease the replicas elect their leader on. */}}
{{- define "podscope.leaseName" -}}
{{- printf "%s-leader" (include "podscope.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
