import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import Vant from 'vant'
import 'vant/lib/index.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { setUnauthenticatedHandler } from './api/client'
import { useAuth } from './stores/auth'
import './styles/main.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia).use(i18n).use(ElementPlus).use(Vant).use(router)

// A request that answers 401 means the session ended elsewhere: back to sign-in.
setUnauthenticatedHandler(() => {
  const auth = useAuth(pinia)
  auth.me = null
  if (router.currentRoute.value.name !== 'login') {
    router.push({ name: 'login', query: { redirect: router.currentRoute.value.fullPath } })
  }
})

app.mount('#app')
